// JSON renderings: stable key order (nlohmann::ordered_json keeps insertion order), no
// timestamps, integers as integers. The layout is documented in docs/json.md.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "medq/report/findings_view.hpp"
#include "medq/report/quality_json.hpp"
#include "medq/report/remote_read_view.hpp"
#include "medq/report/render.hpp"

namespace medq {
namespace {

using ojson = nlohmann::ordered_json;

std::string dump(const ojson& j) {
  // Invalid UTF-8 in names cannot reach here (headers are validated), but replace rather than
  // throw if it ever does.
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

ojson cache_source_json(const CacheSource& s) {
  return {{"repo_id", s.repo_id}, {"commit", s.commit}, {"refs", s.refs}};
}

}  // namespace

std::string render_json(const InspectReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "inspect";
  j["target"] = r.target;
  if (r.cache) j["hf_cache"] = cache_source_json(*r.cache);
  j["layout"] = r.layout;
  j["layout_evidence"] = r.layout_evidence;
  if (r.remote) j["remote"] = remote_read_json(*r.remote);
  j["valid"] = r.valid();
  j["summary"] = findings_summary_json(r.findings);
  ojson files = ojson::array();
  for (const auto& f : r.files) {
    ojson jf;
    jf["name"] = f.name;
    jf["size"] = f.size;
    jf["valid"] = f.valid;
    if (f.header_bytes) jf["header_bytes"] = *f.header_bytes;
    if (f.metadata) {
      ojson m = ojson::object();
      for (const auto& [k, v] : *f.metadata) m[k] = v;
      jf["metadata"] = m;
    } else {
      jf["metadata"] = nullptr;
    }
    ojson ts = ojson::array();
    for (const auto& t : f.tensors) {
      ojson jt;
      jt["name"] = t.name;
      jt["dtype"] = std::string(dtype_name(t.dtype));
      jt["shape"] = t.shape;
      jt["bytes"] = t.bytes;
      jt["offset"] = t.offset;
      ts.push_back(std::move(jt));
    }
    jf["tensors"] = std::move(ts);
    files.push_back(std::move(jf));
  }
  j["files"] = std::move(files);
  ojson totals;
  totals["tensors"] = r.tensor_count;
  totals["tensor_bytes"] = r.tensor_bytes;
  ojson by = ojson::array();
  for (const auto& d : r.by_dtype) {
    by.push_back(
        {{"dtype", std::string(dtype_name(d.dtype))}, {"tensors", d.tensors}, {"bytes", d.bytes}});
  }
  totals["by_dtype"] = std::move(by);
  j["totals"] = std::move(totals);
  j["findings"] = findings_to_json(r.findings);
  return dump(j);
}

std::string render_json(const ValidateReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "validate";
  j["target"] = r.target;
  if (r.cache) j["hf_cache"] = cache_source_json(*r.cache);
  j["strict"] = r.strict;
  j["deep"] = r.deep;
  if (r.deep) j["deep_scan"] = {{"tensors", r.deep_tensors}, {"bytes_read", r.deep_bytes_read}};
  if (r.remote) j["remote"] = remote_read_json(*r.remote);
  j["passed"] = r.passed();
  j["summary"] = findings_summary_json(r.findings);
  ojson m;
  m["model_type"] = r.model_type.empty() ? ojson(nullptr) : ojson(r.model_type);
  m["layout"] = r.layout;
  m["layout_evidence"] = r.layout_evidence;
  m["quantization"] = r.quantization;
  m["tensors"] = r.tensor_count;
  m["tensor_bytes"] = r.tensor_bytes;
  m["weight_files"] = r.weight_files;
  m["directory_bytes"] = r.directory_bytes;
  j["model"] = std::move(m);
  ojson files = ojson::array();
  for (const auto& f : r.files) {
    files.push_back({{"name", f.name},
                     {"kind", f.kind},
                     {"bytes", f.bytes},
                     {"errors", f.errors},
                     {"warnings", f.warnings}});
  }
  j["files"] = std::move(files);
  j["findings"] = findings_to_json(r.findings);
  return dump(j);
}

namespace {

ojson optional_number(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }

ojson delta_json(const Delta& d) {
  return {{"value", d.value}, {"percent", optional_number(d.percent)}};
}

ojson variant_json(const CompareVariant& cv, bool baseline, bool with_quality) {
  const VariantStats& s = cv.stats;
  ojson j;
  j["label"] = s.label;
  j["baseline"] = baseline;
  j["model_type"] = s.model_type.empty() ? ojson(nullptr) : ojson(s.model_type);
  j["layout"] = std::string(layout_kind_name(s.layout));
  j["layout_evidence"] = s.layout_evidence;
  ojson q;
  q["config"] = s.config_quantization;
  ojson schemes = ojson::array();
  for (const auto& u : s.schemes) {
    schemes.push_back({{"scheme", u.scheme},
                       {"quantized", u.quantized},
                       {"bits", u.bits},
                       {"modules", u.modules},
                       {"parameters", u.params}});
  }
  q["schemes"] = std::move(schemes);
  q["parameters_from_shapes"] = s.params_from_shapes;
  j["quantization"] = std::move(q);
  ojson v;
  v["valid"] = s.errors == 0;
  v["errors"] = s.errors;
  v["warnings"] = s.warnings;
  ojson codes = ojson::object();
  for (const auto& [k, n] : s.error_codes) codes[k] = n;
  v["error_codes"] = std::move(codes);
  j["validation"] = std::move(v);
  ojson b;
  b["tensor_data"] = s.tensor_bytes;
  b["weight_files"] = s.weight_file_bytes;
  b["weight_file_count"] = s.weight_files;
  b["metadata_files"] = s.metadata_bytes;
  b["other_files"] = s.extra_bytes;
  b["directory"] = s.directory_bytes;
  ojson extra = ojson::array();
  for (const auto& e : s.extra)
    extra.push_back({{"name", e.name}, {"why", e.why}, {"bytes", e.bytes}});
  b["other"] = std::move(extra);
  b["tensor_data_vs_baseline"] = delta_json(cv.weight_bytes);
  b["directory_vs_baseline"] = delta_json(cv.directory_bytes);
  j["bytes"] = std::move(b);
  j["tensors"] = s.tensor_count;
  j["companion_tensors"] = s.companion_tensors;
  ojson p;
  p["total"] = s.params;
  p["quantized"] = s.quantized_params;
  for (ModelPart part : kModelParts) {
    auto it = s.parts.find(part);
    PartStats ps = it == s.parts.end() ? PartStats{} : it->second;
    p[std::string(model_part_name(part))] = {
        {"tensors", ps.tensors}, {"parameters", ps.params}, {"bytes", ps.bytes}};
  }
  p["vs_baseline"] = delta_json(cv.params);
  j["parameters"] = std::move(p);
  j["bits_per_weight"] = {{"quantized_layers", optional_number(s.bits_quantized)},
                          {"whole_model", optional_number(s.bits_per_weight)}};
  const MemoryEstimate& m = cv.memory;
  ojson mem;
  mem["weights"] = m.weights;
  mem["kv_cache"] = m.kv_cache ? ojson(*m.kv_cache) : ojson(nullptr);
  mem["kv_dtype"] = std::string(dtype_name(m.kv_dtype));
  mem["layers"] = m.layers;
  mem["sliding_window_layers"] = m.sliding_layers;
  mem["sliding_window"] = m.window ? ojson(*m.window) : ojson(nullptr);
  mem["kv_heads"] = m.kv_heads;
  mem["head_dim"] = m.head_dim;
  mem["overhead"] = m.overhead;
  mem["total"] = m.total;
  mem["fits_budget"] = m.fits ? ojson(*m.fits) : ojson(nullptr);
  mem["headroom"] = m.headroom ? ojson(*m.headroom) : ojson(nullptr);
  j["memory"] = std::move(mem);
  if (cv.fidelity) {
    const FidelitySummary& o = cv.fidelity->overall;
    j["fidelity"] = {{"tensors", o.tensors},
                     {"parameters", o.params},
                     {"mean_rel_rms_error", optional_number(o.mean_rel_rms)},
                     {"mean_cosine", optional_number(o.mean_cosine)},
                     {"snr_db", optional_number(o.pooled.snr_db())},
                     {"max_abs_error", o.pooled.max_abs}};
  } else {
    j["fidelity"] = nullptr;
  }
  if (with_quality) j["quality"] = cv.quality ? variant_quality_json(*cv.quality) : ojson(nullptr);
  return j;
}

/// compare --quality: what was measured (the per-variant numbers are in each variant).
ojson compare_quality_json(const Comparison& c) {
  const CompareQuality& q = *c.quality;
  ojson j;
  j["measured"] = q.result.has_value();
  j["not_measured"] = q.not_measured.empty() ? ojson(nullptr) : ojson(q.not_measured);
  j["reference"] = c.variants[c.baseline].stats.label;
  j["tokens_file"] = q.tokens_file ? ojson(*q.tokens_file) : ojson(nullptr);
  if (q.result) {
    j["reference_ppl"] = quality_sig6(q.result->reference.ppl);
    quality_run_json(j, *q.result, q.text);
  }
  j["not_evaluated"] = q.not_evaluated;
  return j;
}

ojson diff_list_json(const TensorDiffList& l) {
  ojson items = ojson::array();
  for (const auto& it : l.items) {
    ojson values = ojson::array();
    for (const auto& v : it.values) values.push_back(v.empty() ? ojson(nullptr) : ojson(v));
    items.push_back({{"name", it.name}, {"values", std::move(values)}});
  }
  return {{"total", l.total}, {"items", std::move(items)}};
}

/// A criterion's number: bytes as integers, the rest as they are.
ojson criterion_number(const std::string& rule, double v) {
  return rule.starts_with("limits.") ? ojson(static_cast<uint64_t>(v)) : ojson(v);
}

/// The decision: the recommended label (or null), the criteria, and each variant's results.
ojson decision_json(const Recommendation& rec, const Comparison& c) {
  ojson j;
  j["text"] = to_plain(rec.sentence);
  j["policy_file"] = rec.policy_file.empty() ? ojson(nullptr) : ojson(rec.policy_file);
  ojson criteria = ojson::array();
  for (const Criterion& k : rec.criteria) {
    criteria.push_back({{"rule", k.rule},
                        {"source", k.source},
                        {"text", k.phrase},
                        {"at_most", k.at_most},
                        {"limit", criterion_number(k.rule, k.limit)}});
  }
  j["criteria"] = std::move(criteria);
  j["not_evaluated"] = rec.not_evaluated;
  j["ranked_by"] = "memory";
  ojson vs = ojson::array();
  for (size_t i = 0; i < rec.variants.size() && i < c.variants.size(); ++i) {
    ojson results = ojson::array();
    for (const RuleResult& x : rec.variants[i].results) {
      results.push_back({{"rule", x.id},
                         {"status", std::string(rule_status_name(x.status))},
                         {"value", x.value ? criterion_number(x.id, *x.value) : ojson(nullptr)},
                         {"message", x.message}});
    }
    vs.push_back({{"label", c.variants[i].stats.label},
                  {"meets", rec.variants[i].meets()},
                  {"results", std::move(results)}});
  }
  j["variants"] = std::move(vs);
  return j;
}

}  // namespace

std::string render_json(const CompareReport& r) {
  const Comparison& c = r.comparison;
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "compare";
  j["model_name"] = r.model_name.empty() ? ojson(nullptr) : ojson(r.model_name);
  if (!r.remote.empty()) {
    ojson remote = ojson::array();
    for (const auto& x : r.remote) remote.push_back(remote_read_json(x));
    j["remote"] = std::move(remote);
  }
  j["all_valid"] = r.all_valid();
  j["findings"] = findings_to_json(r.comparison.findings);
  j["baseline"] = c.variants[c.baseline].stats.label;
  j["baseline_given"] = c.baseline_given;
  j["context_tokens"] = c.context;
  j["memory_budget"] = c.memory_budget ? ojson(c.memory_budget->bytes) : ojson(nullptr);
  j["memory_budget_text"] = c.memory_budget ? ojson(c.memory_budget->text()) : ojson(nullptr);
  j["memory_overhead_fraction"] = kMemoryOverheadFraction;
  const Recommendation& rec = r.recommendation;
  j["recommendation"] =
      rec.recommended ? ojson(c.variants[*rec.recommended].stats.label) : ojson(nullptr);
  j["decision"] = decision_json(rec, c);
  ojson vs = ojson::array();
  for (size_t i = 0; i < c.variants.size(); ++i)
    vs.push_back(variant_json(c.variants[i], i == c.baseline, c.quality.has_value()));
  j["variants"] = std::move(vs);
  ojson arch;
  arch["identical"] = c.architecture_identical;
  ojson rows = ojson::array();
  for (const auto& row : c.architecture) {
    ojson values = ojson::array();
    for (const auto& v : row.values) values.push_back(v.empty() ? ojson(nullptr) : ojson(v));
    rows.push_back({{"field", row.field}, {"values", std::move(values)}, {"differs", row.differs}});
  }
  arch["fields"] = std::move(rows);
  j["architecture"] = std::move(arch);
  j["tensor_set"] = {{"presence", diff_list_json(c.tensors.presence)},
                     {"shapes", diff_list_json(c.tensors.shapes)},
                     {"dtypes", diff_list_json(c.tensors.dtypes)}};
  ojson files = ojson::array();
  for (const auto& f : c.files) {
    ojson digests = ojson::array();
    for (const auto& d : f.sha256) digests.push_back(d ? ojson(*d) : ojson(nullptr));
    files.push_back({{"file", f.file}, {"identical", f.identical}, {"sha256", std::move(digests)}});
  }
  j["files"] = std::move(files);
  if (c.quality) j["quality"] = compare_quality_json(c);
  return dump(j);
}

namespace {

ojson sums_json(const ErrorSums& s) {
  ojson j;
  j["rel_rms_error"] = optional_number(s.rel_rms());
  j["cosine"] = optional_number(s.cosine());
  j["snr_db"] = optional_number(s.snr_db());
  j["max_abs_error"] = s.max_abs;
  j["values"] = s.count;
  j["non_finite"] = s.non_finite;
  return j;
}

ojson fidelity_findings_summary_json(const FidelitySummary& s) {
  ojson j;
  j["tensors"] = s.tensors;
  j["parameters"] = s.params;
  j["mean_rel_rms_error"] = optional_number(s.mean_rel_rms);
  j["mean_cosine"] = optional_number(s.mean_cosine);
  j["pooled"] = sums_json(s.pooled);
  return j;
}

}  // namespace

std::string render_json(const FidelityReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "fidelity";
  j["model_name"] = r.model_name.empty() ? ojson(nullptr) : ojson(r.model_name);
  j["all_valid"] = r.all_valid();
  j["reference"] = r.variants.empty() ? ojson(nullptr) : ojson(r.variants.front().reference);
  ojson validation = ojson::array();
  for (const auto& [label, errors] : r.validation_errors) {
    validation.push_back({{"label", label}, {"errors", errors}});
  }
  j["validation"] = std::move(validation);
  ojson vs = ojson::array();
  for (const auto& v : r.variants) {
    ojson jv;
    jv["label"] = v.label;
    jv["overall"] = fidelity_findings_summary_json(v.overall);
    ojson parts = ojson::object();
    for (const auto& [p, s] : v.parts)
      parts[std::string(model_part_name(p))] = fidelity_findings_summary_json(s);
    jv["parts"] = std::move(parts);
    ojson tensors = ojson::array();
    for (const auto& t : v.tensors) {
      ojson jt;
      jt["name"] = t.name;
      jt["part"] = std::string(model_part_name(t.part));
      jt["parameters"] = t.params;
      jt["reference_storage"] = t.reference_storage;
      jt["variant_storage"] = t.variant_storage;
      jt.update(sums_json(t.sums));
      tensors.push_back(std::move(jt));
    }
    jv["tensors"] = std::move(tensors);
    ojson skipped = ojson::array();
    for (const auto& [name, why] : v.skipped) skipped.push_back({{"name", name}, {"reason", why}});
    jv["skipped"] = std::move(skipped);
    jv["read_errors"] = v.read_errors;
    vs.push_back(std::move(jv));
  }
  j["variants"] = std::move(vs);
  return dump(j);
}

std::string render_json(const QualityReport& r) {
  const QualityResult& q = *r.run.outcome.result;
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "quality";
  j["model_name"] = r.model_name.empty() ? ojson(nullptr) : ojson(r.model_name);
  j["all_valid"] = r.run.all_valid();
  quality_run_json(j, q, r.run.text);
  j["reference"] = {{"label", r.run.reference},
                    {"path", r.run.reference_path},
                    {"ppl", quality_sig6(q.reference.ppl)}};
  ojson vs = ojson::array();
  for (size_t i = 0; i < q.variants.size(); ++i) {
    const VariantQuality& v = q.variants[i];
    ojson jv;
    jv["label"] = r.run.variants[i];
    jv["path"] = i < r.run.variant_paths.size() ? r.run.variant_paths[i] : r.run.variants[i];
    jv.update(variant_quality_json(v));
    vs.push_back(std::move(jv));
  }
  j["variants"] = std::move(vs);
  return dump(j);
}

}  // namespace medq
