#include "medq/check/config_quant.hpp"

#include <set>
#include <unordered_map>

#include "medq/check/config_checks.hpp"
#include "medq/check/quant_checks.hpp"

namespace medq {

namespace {

/// Findings that hold for MLX's loaders only, dropped for a transformers checkpoint: transformers
/// 5 writes RoPE settings as rope_parameters.rope_theta, which mlx-lm's qwen3 does not read but
/// transformers does.
void drop_mlx_only_findings(const nlohmann::json& config, Findings& findings) {
  auto rope_parameters_theta = [&](const nlohmann::json& obj) {
    const auto rp = obj.find("rope_parameters");
    return rp != obj.end() && rp->is_object() && rp->contains("rope_theta");
  };
  if (!config.is_object() || !rope_parameters_theta(config)) return;
  std::erase_if(findings, [](const Finding& f) {
    return f.code == "config.missing_key" && f.where.json_pointer == "/rope_theta";
  });
}

}  // namespace

ConfigQuantResult check_config_and_quantization(const nlohmann::json& config,
                                                std::span<const Checkpoint::Entry> tensors,
                                                std::string_view config_label) {
  ConfigQuantResult r;
  ArchitectureResult a = resolve_architecture(config, config_label);
  QuantConfigResult q = parse_quantization(config, config_label);
  r.arch = std::move(a.arch);
  r.quant = std::move(q.config);
  r.findings = std::move(a.findings);
  r.findings.insert(r.findings.end(), q.findings.begin(), q.findings.end());

  std::vector<TensorInfo> infos;
  infos.reserve(tensors.size());
  std::unordered_map<std::string_view, std::string_view> file_of;
  std::vector<std::string> formats;
  std::set<const WeightFile*> files;
  for (const Checkpoint::Entry& e : tensors) {
    if (e.tensor == nullptr || e.file == nullptr) continue;
    if (file_of.emplace(e.tensor->name, e.file->name).second) infos.push_back(*e.tensor);
    if (!files.insert(e.file).second) continue;
    const SafetensorsHeader* h = e.file->header.readable_header();
    std::string format;
    if (h && h->metadata) {
      if (auto it = h->metadata->find("format"); it != h->metadata->end()) format = it->second;
    }
    formats.push_back(std::move(format));
  }
  r.layout = detect_layout(infos, formats, &r.arch);
  if (r.layout.kind == LayoutKind::kTransformers) drop_mlx_only_findings(config, r.findings);
  for (Findings f : {check_config_vs_tensors(r.arch, infos, r.quant, &r.layout),
                     check_quantization(r.arch, infos, r.quant, config_label)}) {
    for (Finding& x : f) {
      if (x.where.file.empty()) {
        auto it = file_of.find(x.where.tensor);
        if (it != file_of.end()) x.where.file = std::string(it->second);
      }
      r.findings.push_back(std::move(x));
    }
  }
  return r;
}

}  // namespace medq
