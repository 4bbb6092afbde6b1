#include "medq/check/config_quant.hpp"

#include <unordered_map>

#include "medq/check/config_checks.hpp"
#include "medq/check/quant_checks.hpp"

namespace medq {

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
  for (const Checkpoint::Entry& e : tensors) {
    if (e.tensor == nullptr || e.file == nullptr) continue;
    if (file_of.emplace(e.tensor->name, e.file->name).second) infos.push_back(*e.tensor);
  }
  for (Findings f : {check_config_vs_tensors(r.arch, infos, r.quant),
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
