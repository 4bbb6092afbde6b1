#include "medq/policy/policy_eval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "medq/analysis/comparison.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/integrity/manifest.hpp"
#include "medq/integrity/verify.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/policy/limit_rules.hpp"
#include "medq/util/units.hpp"
#include "rule_builder.hpp"

namespace medq {

std::string_view rule_status_name(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPass:
      return "pass";
    case RuleStatus::kFail:
      return "fail";
    case RuleStatus::kSkipped:
      return "skipped";
  }
  return "fail";
}

size_t PolicyEvaluation::count(RuleStatus s) const {
  return static_cast<size_t>(std::count_if(rules.begin(), rules.end(),
                                           [s](const RuleResult& r) { return r.status == s; }));
}

namespace {

namespace fs = std::filesystem;
using policy_detail::Details;
using policy_detail::reference_name;
using policy_detail::result;
using policy_detail::skipped;
using policy_detail::validated_reference;

/// The tokenizer files of a variant that tokenizer.identical_to compares.
constexpr std::string_view kTokenizerFiles[] = {
    "tokenizer.json",    "tokenizer.model",    "tokenizer_config.json", "special_tokens_map.json",
    "added_tokens.json", "chat_template.json", "chat_template.jinja"};

std::string finding_line(const Finding& f) {
  std::string where = f.where.file.empty() ? "(directory)" : f.where.file;
  if (!f.where.tensor.empty()) where += " tensor '" + f.where.tensor + "'";
  if (!f.where.json_pointer.empty()) where += " " + f.where.json_pointer;
  return fmt::format("{} {}: {}: {}", severity_name(f.severity), f.code, where, f.message);
}

bool allowed(const std::string& code, const std::vector<std::string>& allow) {
  return std::any_of(allow.begin(), allow.end(),
                     [&](const std::string& a) { return code_matches(code, a); });
}

/// "2 errors (index.stale, config.missing_tensor)": the count and the distinct codes.
std::string count_with_codes(const std::vector<const Finding*>& fs, std::string_view noun) {
  std::set<std::string> codes;
  for (const Finding* f : fs) codes.insert(f->code);
  std::string list;
  for (const auto& c : codes) list += (list.empty() ? "" : ", ") + c;
  return count_noun(fs.size(), noun) + " (" + list + ")";
}

RuleResult rule_validation(const Validation& v, const std::vector<std::string>& allow) {
  std::vector<const Finding*> errors;
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kError) errors.push_back(&f);
  }
  size_t warnings = count_severity(v.findings, Severity::kWarning);
  size_t info = count_severity(v.findings, Severity::kInfo);
  if (errors.empty()) {
    return result("validation", true,
                  fmt::format("no errors ({}, {} info)", count_noun(warnings, "warning"), info));
  }
  Details d;
  for (const Finding* f : errors) d.add(finding_line(*f));
  std::string msg = "the model is invalid: " + count_with_codes(errors, "error");
  bool any_allowed = std::any_of(errors.begin(), errors.end(),
                                 [&](const Finding* f) { return allowed(f->code, allow); });
  if (any_allowed) msg += "; findings.allow does not apply to errors";
  return result("validation", false, msg, std::move(d));
}

RuleResult rule_warnings(const Validation& v, const FindingsPolicy& p) {
  std::vector<const Finding*> failing;
  size_t allowed_count = 0;
  for (const auto& f : v.findings) {
    if (f.severity != Severity::kWarning) continue;
    if (allowed(f.code, p.allow)) {
      ++allowed_count;
    } else {
      failing.push_back(&f);
    }
  }
  std::string allowed_note =
      allowed_count ? fmt::format(" ({} allowed by findings.allow)", allowed_count) : "";
  if (failing.empty())
    return result("findings.fail_on_warnings", true, "no warnings" + allowed_note);
  Details d;
  for (const Finding* f : failing) d.add(finding_line(*f));
  return result("findings.fail_on_warnings", false,
                count_with_codes(failing, "warning") + allowed_note, std::move(d));
}

RuleResult rule_fail_on(const Validation& v, const FindingsPolicy& p) {
  std::vector<const Finding*> failing;
  for (const auto& f : v.findings) {
    if (allowed(f.code, p.fail_on) && !allowed(f.code, p.allow)) failing.push_back(&f);
  }
  std::string listed;
  for (const auto& c : p.fail_on) listed += (listed.empty() ? "" : ", ") + c;
  if (failing.empty()) return result("findings.fail_on", true, "none of: " + listed);
  Details d;
  for (const Finding* f : failing) d.add(finding_line(*f));
  return result("findings.fail_on", false, count_with_codes(failing, "finding"), std::move(d));
}

// --- quantization -----------------------------------------------------------------------------

struct SchemeParams {
  QuantScheme scheme;
  uint64_t params = 0;
  uint64_t modules = 0;
};

/// The quantized schemes of the model as the loader resolves them, most parameters first.
std::vector<SchemeParams> quantized_schemes(const Validation& v) {
  std::vector<SchemeParams> out;
  for (const LogicalTensor& lt : logical_tensors(v.checkpoint, v.quant, v.arch).tensors) {
    if (!lt.scheme) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const SchemeParams& s) { return s.scheme == *lt.scheme; });
    if (it == out.end()) {
      out.push_back({*lt.scheme, 0, 0});
      it = out.end() - 1;
    }
    it->params += lt.params;
    ++it->modules;
  }
  std::stable_sort(out.begin(), out.end(), [](const SchemeParams& a, const SchemeParams& b) {
    return a.params > b.params;
  });
  return out;
}

std::string scheme_use(const SchemeParams& s) {
  return fmt::format("{}: {}, {} parameters", describe_scheme(s.scheme),
                     count_noun(s.modules, "module"), group_digits(s.params));
}

std::string schemes_text(const std::vector<SchemeParams>& schemes) {
  std::string s;
  for (const auto& u : schemes) s += (s.empty() ? "" : ", ") + describe_scheme(u.scheme);
  return s;
}

/// One of mode / bits / group_size: every quantized module must have `expected` (only the main
/// scheme, the one with the most parameters, when mixed precision is allowed).
template <typename Get>
RuleResult rule_scheme_value(const std::string& id, const std::string& what,
                             const std::string& expected, const std::vector<SchemeParams>& schemes,
                             bool main_only, Get get) {
  if (schemes.empty()) {
    return result(id, false,
                  fmt::format("the model is not quantized; expected {} {}", what, expected));
  }
  Details d;
  size_t n = main_only ? 1 : schemes.size();
  for (size_t i = 0; i < n; ++i) {
    if (get(schemes[i].scheme) != expected) d.add(scheme_use(schemes[i]));
  }
  std::string scope = main_only ? "the main scheme (mixed precision allowed)"
                                : "every quantized "
                                  "module";
  if (d.lines.empty()) {
    return result(id, true,
                  fmt::format("{} {} in {} ({})", what, expected, scope, schemes_text(schemes)));
  }
  return result(
      id, false,
      fmt::format("expected {} {} in {}; found {}", what, expected, scope, schemes_text(schemes)),
      std::move(d));
}

/// Why the weights cannot be measured ("" when they can): without them the quantization and
/// size rules would measure an empty model.
std::string unmeasured_weights(const Validation& v) {
  if (v.checkpoint.files.empty())
    return "the weights are missing (no *.safetensors file was read): nothing to measure";
  const bool readable =
      std::any_of(v.checkpoint.files.begin(), v.checkpoint.files.end(),
                  [](const WeightFile& f) { return f.header.readable_header() != nullptr; });
  return readable ? "" : "no weight file could be read: nothing to measure";
}

void quantization_rules(const Validation& v, const QuantizationPolicy& q,
                        std::vector<RuleResult>& out) {
  if (std::string why = unmeasured_weights(v); !why.empty()) {
    for (auto [id, set] : {std::pair{"quantization.mode", q.mode.has_value()},
                           {"quantization.bits", q.bits.has_value()},
                           {"quantization.group_size", q.group_size.has_value()},
                           {"quantization.allow_mixed", q.allow_mixed == false}}) {
      if (set) out.push_back(skipped(id, why));
    }
    return;
  }
  std::vector<SchemeParams> schemes = quantized_schemes(v);
  bool main_only = q.allow_mixed == true;
  if (q.mode) {
    if (*q.mode == "none") {
      Details d;
      for (const auto& s : schemes) d.add(scheme_use(s));
      out.push_back(result("quantization.mode", schemes.empty(),
                           schemes.empty()
                               ? "not quantized, as expected"
                               : "expected an unquantized model; found " + schemes_text(schemes),
                           std::move(d)));
    } else {
      out.push_back(rule_scheme_value(
          "quantization.mode", "mode", *q.mode, schemes, main_only,
          [](const QuantScheme& s) { return std::string(quant_mode_name(s.mode)); }));
    }
  }
  if (q.bits) {
    out.push_back(rule_scheme_value("quantization.bits", "bits", std::to_string(*q.bits), schemes,
                                    main_only,
                                    [](const QuantScheme& s) { return std::to_string(s.bits); }));
  }
  if (q.group_size) {
    out.push_back(rule_scheme_value(
        "quantization.group_size", "group size", std::to_string(*q.group_size), schemes, main_only,
        [](const QuantScheme& s) { return std::to_string(s.group_size); }));
  }
  if (q.allow_mixed == false) {
    Details d;
    for (const auto& s : schemes) d.add(scheme_use(s));
    bool pass = schemes.size() <= 1;
    out.push_back(result("quantization.allow_mixed", pass,
                         pass ? (schemes.empty() ? std::string("not quantized")
                                                 : "one scheme: " + schemes_text(schemes))
                              : fmt::format("mixed precision is not allowed; found {} schemes: {}",
                                            schemes.size(), schemes_text(schemes)),
                         std::move(d)));
  }
}

// --- integrity --------------------------------------------------------------------------------

RuleResult rule_integrity(const fs::path& manifest_path, const Validation& model,
                          const EvalOptions& options) {
  ManifestParse parsed = read_manifest(manifest_path);
  if (!parsed.manifest) {
    throw PolicyInputError("policy.integrity.manifest: '" + manifest_path.string() +
                           "': " + parsed.error);
  }
  ManifestOptions mo;
  mo.threads = options.threads;
  mo.follow_symlinks = options.follow_symlinks;
  if (auto id = file_id(manifest_path)) mo.exclude.push_back(*id);
  ManifestScan scan = make_manifest(model.dir.root, mo);
  VerifyReport r = verify_manifest(*parsed.manifest, scan);
  std::string of = "against " + manifest_path.string();
  if (r.verified()) {
    return result("integrity.manifest", true,
                  fmt::format("{} and {} as recorded ({})", count_noun(r.manifest_files, "file"),
                              count_noun(r.manifest_tensors, "tensor"), of));
  }
  Details d;
  for (const Finding& f : verify_findings(r)) {
    if (f.severity != Severity::kInfo) d.add(finding_line(f));
  }
  std::string msg = fmt::format(
      "{}: {} differ, {} missing, {} extra, {} unreadable; tensors: {} differ, {} "
      "missing, {} extra",
      of, r.count(CheckStatus::kDiffers), r.count(CheckStatus::kMissing),
      r.count(CheckStatus::kExtra), r.count(CheckStatus::kUnreadable),
      r.count_tensors(CheckStatus::kDiffers), r.count_tensors(CheckStatus::kMissing),
      r.count_tensors(CheckStatus::kExtra));
  return result("integrity.manifest", false, "files " + msg, std::move(d));
}

// --- tokenizer --------------------------------------------------------------------------------

RuleResult rule_tokenizer(const Validation& model, const Validation& ref,
                          const std::string& ref_name) {
  Details d;
  size_t compared = 0;
  for (std::string_view name : kTokenizerFiles) {
    auto a = file_sha256(model.dir, name);
    auto b = file_sha256(ref.dir, name);
    if (!a && !b) continue;
    ++compared;
    if (!a) {
      d.add(fmt::format("{}: missing (the reference has it)", name));
    } else if (!b) {
      d.add(fmt::format("{}: not in the reference", name));
    } else if (*a != *b) {
      d.add(fmt::format("{}: differs (sha256 {} vs the reference's {})", name, a->substr(0, 16),
                        b->substr(0, 16)));
    }
  }
  std::string of = "against " + ref_name;
  if (compared == 0) {
    return result("tokenizer.identical_to", false, of + ": neither has tokenizer files");
  }
  if (d.lines.empty() && d.more == 0) {
    return result("tokenizer.identical_to", true,
                  fmt::format("{}: {} identical", of, count_noun(compared, "file")));
  }
  size_t differing = d.lines.size() + d.more;
  return result("tokenizer.identical_to", false,
                fmt::format("{}: {} of {} differ", of, differing, count_noun(compared, "file")),
                std::move(d));
}

// --- baseline ---------------------------------------------------------------------------------

void baseline_rules(const BaselinePolicy& b, const ModelSnapshot& now,
                    std::vector<RuleResult>& out) {
  std::vector<std::string> ids;
  if (!b.allow_tensor_set_change) ids.emplace_back("baseline.tensor_set");
  if (!b.allow_architecture_change) ids.emplace_back("baseline.architecture");
  if (b.max_size_growth_percent) ids.emplace_back("baseline.max_size_growth_percent");
  if (!b.report) {
    for (auto& id : ids) {
      RuleResult r;
      r.id = id;
      r.status = RuleStatus::kSkipped;
      r.message = "no baseline report given (baseline.report or --baseline REPORT.json)";
      out.push_back(std::move(r));
    }
    return;
  }
  BaselineParse parsed = read_baseline(*b.report);
  if (!parsed.snapshot) {
    throw PolicyInputError("baseline report '" + b.report->string() + "': " + parsed.error);
  }
  const ModelSnapshot& base = *parsed.snapshot;
  std::string of = "against " + b.report->string();

  if (!b.allow_tensor_set_change) {
    std::map<std::string, const SnapshotTensor*> before, after;
    for (const auto& t : base.tensors) before[t.name] = &t;
    for (const auto& t : now.tensors) after[t.name] = &t;
    Details d;
    size_t added = 0, removed = 0, reshaped = 0, restored = 0;
    // One pass over the union of names, in name order.
    std::set<std::string> names;
    for (const auto& [n, t] : before) names.insert(n);
    for (const auto& [n, t] : after) names.insert(n);
    for (const auto& n : names) {
      auto x = before.find(n);
      auto y = after.find(n);
      if (x == before.end()) {
        ++added;
        d.add(fmt::format("added: {} {}", n, shape_to_string(y->second->shape)));
      } else if (y == after.end()) {
        ++removed;
        d.add(fmt::format("removed: {} {}", n, shape_to_string(x->second->shape)));
      } else if (x->second->shape != y->second->shape) {
        ++reshaped;
        d.add(fmt::format("shape changed: {} {} -> {}", n, shape_to_string(x->second->shape),
                          shape_to_string(y->second->shape)));
      } else if (x->second->storage != y->second->storage) {
        ++restored;  // storage only: the quantization rules judge that
      }
    }
    bool pass = added + removed + reshaped == 0;
    std::string storage_note =
        restored ? fmt::format("; {} stored differently (not a tensor-set change)",
                               count_noun(restored, "tensor"))
                 : "";
    out.push_back(result("baseline.tensor_set", pass,
                         pass ? fmt::format("{}: the same {} (names and shapes){}", of,
                                            count_noun(now.tensors.size(), "tensor"), storage_note)
                              : fmt::format("{}: {} added, {} removed, {} with another shape{}", of,
                                            added, removed, reshaped, storage_note),
                         std::move(d)));
  }
  if (!b.allow_architecture_change) {
    std::map<std::string, std::string> before(base.architecture.begin(), base.architecture.end());
    std::map<std::string, std::string> after(now.architecture.begin(), now.architecture.end());
    std::set<std::string> fields;
    for (const auto& [k, v] : before) fields.insert(k);
    for (const auto& [k, v] : after) fields.insert(k);
    Details d;
    for (const auto& k : fields) {
      std::string x = before.count(k) ? before[k] : "(unknown)";
      std::string y = after.count(k) ? after[k] : "(unknown)";
      if (x != y) d.add(fmt::format("{}: {} -> {}", k, x, y));
    }
    bool pass = d.lines.empty();
    size_t changed = d.lines.size() + d.more;
    out.push_back(result("baseline.architecture", pass,
                         pass ? fmt::format("{}: the same {} config values", of, fields.size())
                              : fmt::format("{}: {} changed", of, count_noun(changed, "value")),
                         std::move(d)));
  }
  if (b.max_size_growth_percent) {
    double limit = *b.max_size_growth_percent;
    std::string msg;
    bool pass = true;
    if (base.weight_bytes == 0) {
      pass = now.weight_bytes == 0;
      msg = fmt::format("{}: the baseline has no weights; now {}", of, byte_size(now.weight_bytes));
    } else {
      double growth =
          100.0 * (static_cast<double>(now.weight_bytes) - static_cast<double>(base.weight_bytes)) /
          static_cast<double>(base.weight_bytes);
      pass = growth <= limit;
      msg = fmt::format("{}: weights {} -> {} ({:+.1f}%), maximum growth {:g}%", of,
                        byte_size(base.weight_bytes), byte_size(now.weight_bytes), growth, limit);
    }
    out.push_back(result("baseline.max_size_growth_percent", pass, msg));
  }
}

}  // namespace

PolicyEvaluation evaluate_policy(const Policy& policy, const Validation& model,
                                 const ModelSnapshot& snapshot, const EvalOptions& options) {
  PolicyEvaluation e;
  static const std::vector<std::string> kNone;
  const std::vector<std::string>& allow = policy.findings ? policy.findings->allow : kNone;
  e.rules.push_back(rule_validation(model, allow));
  e.model_valid = e.rules.front().status == RuleStatus::kPass;
  if (policy.findings) {
    if (policy.findings->fail_on_warnings)
      e.rules.push_back(rule_warnings(model, *policy.findings));
    if (!policy.findings->fail_on.empty()) e.rules.push_back(rule_fail_on(model, *policy.findings));
  }
  if (policy.quantization) quantization_rules(model, *policy.quantization, e.rules);
  if (policy.limits) {
    for (RuleResult& r : judge_limits(*policy.limits, snapshot, unmeasured_weights(model)))
      e.rules.push_back(std::move(r));
  }
  std::optional<Validation> reference;  // validated once, shared by fidelity and tokenizer
  if (policy.fidelity)
    policy_detail::fidelity_rules(*policy.fidelity, model, reference, options, e.rules);
  if (policy.quality)
    policy_detail::quality_rules(policy, model, e.model_valid, reference, options, e);
  if (policy.integrity && policy.integrity->manifest) {
    e.rules.push_back(rule_integrity(*policy.integrity->manifest, model, options));
  }
  if (policy.tokenizer) {
    fs::path dir = policy.tokenizer->identical_to ? *policy.tokenizer->identical_to
                                                  : (policy.fidelity && policy.fidelity->reference
                                                         ? *policy.fidelity->reference
                                                         : fs::path());
    if (dir.empty()) {
      throw PolicyInputError("policy.tokenizer.identical_to: no variant to compare with");
    }
    std::optional<Validation> own;
    bool shared = policy.fidelity && policy.fidelity->reference == dir && reference;
    const Validation& ref = shared ? *reference
                                   : validated_reference(dir, own, "policy.tokenizer.identical_to",
                                                         options.follow_symlinks);
    e.rules.push_back(rule_tokenizer(model, ref, reference_name(dir, options)));
  }
  if (policy.baseline) baseline_rules(*policy.baseline, snapshot, e.rules);
  return e;
}

}  // namespace medq
