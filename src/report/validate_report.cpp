#include "medq/report/validate_report.hpp"

#include <fmt/format.h>

#include <map>

namespace medq {
namespace {

std::string quantization_summary(const nlohmann::json* config) {
  if (!config || !config->is_object()) return "unknown";
  auto q = config->find("quantization");
  if (q == config->end()) q = config->find("quantization_config");
  if (q == config->end() || !q->is_object()) return "none";
  std::string mode = q->value("mode", "affine");
  std::string s = mode;
  auto bits = q->find("bits");
  if (bits != q->end() && bits->is_number_integer())
    s += fmt::format(" {}-bit", bits->get<int64_t>());
  auto gs = q->find("group_size");
  if (gs != q->end() && gs->is_number_integer()) s += fmt::format(", group {}", gs->get<int64_t>());
  size_t overrides = 0;
  for (const auto& [k, val] : q->items()) {
    if (val.is_object() || val.is_boolean()) ++overrides;
  }
  if (overrides)
    s += fmt::format(", {} per-module override{}", overrides, overrides == 1 ? "" : "s");
  return s;
}

}  // namespace

ValidateReport build_validate_report(const Validation& v, std::string target, bool strict,
                                     bool deep) {
  ValidateReport r;
  r.target = std::move(target);
  r.strict = strict;
  r.deep = deep;
  if (const auto* c = v.config(); c && c->is_object()) {
    auto mt = c->find("model_type");
    if (mt != c->end() && mt->is_string()) r.model_type = mt->get<std::string>();
  }
  r.quantization = quantization_summary(v.config());
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
