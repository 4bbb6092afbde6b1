#include "medq/report/validate_report.hpp"

#include <fmt/format.h>

#include <map>

namespace medq {

ValidateReport build_validate_report(const Validation& v, std::string target, bool strict,
                                     bool deep) {
  ValidateReport r;
  r.target = std::move(target);
  r.cache = cache_source(v.dir, v.cache_repo ? &*v.cache_repo : nullptr);
  r.strict = strict;
  r.deep = deep;
  if (const auto* c = v.config(); c && c->is_object()) {
    auto mt = c->find("model_type");
    if (mt != c->end() && mt->is_string()) r.model_type = mt->get<std::string>();
  }
  r.quantization = describe_quant_config(v.config(), v.quant, QuantSummaryStyle::kSpelledOut);
  r.layout = std::string(layout_kind_name(v.layout.kind));
  r.layout_evidence = v.layout.evidence;
  for (const auto& wf : v.checkpoint.files) {
    ++r.weight_files;
    // A truncated file's header still lists its tensors (and the checks use it).
    const SafetensorsHeader* h = wf.header.readable_header();
    if (!h) continue;
    for (const auto& t : h->tensors) {
      ++r.tensor_count;
      r.tensor_bytes += t.nbytes();
    }
  }
  r.directory_bytes = v.dir.total_bytes;
  std::map<std::string, std::pair<size_t, size_t>> counts;
  for (const auto& f : v.findings) {
    // Count a finding against the top-level entry it is about.
    std::string top = f.where.file.substr(0, f.where.file.find('/'));
    if (f.severity == Severity::kError) ++counts[top].first;
    if (f.severity == Severity::kWarning) ++counts[top].second;
  }
  for (const auto& e : v.dir.entries) {
    auto c = counts[e.name];
    r.files.push_back({e.name, std::string(entry_kind_name(e.kind)), e.bytes, c.first, c.second});
  }
  r.findings = v.findings;
  return r;
}

}  // namespace medq
