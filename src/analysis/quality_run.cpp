#include "medq/analysis/quality_run.hpp"

#include <algorithm>

#include "medq/check/validate.hpp"
#include "medq/model/logical_tensors.hpp"

namespace medq {

bool QualityRun::all_valid() const {
  return std::all_of(validation_errors.begin(), validation_errors.end(),
                     [](const auto& e) { return e.second == 0; });
}

QualityRun run_quality(const std::string& reference, const std::vector<std::string>& variants,
                       std::span<const uint32_t> tokens, const QualityOptions& options,
                       const ScanOptions& scan) {
  QualityRun run;
  run.reference = reference;
  run.variants = variants;
  std::vector<std::string> dirs = {reference};
  dirs.insert(dirs.end(), variants.begin(), variants.end());
  std::vector<Validation> vals;
  std::vector<LogicalTensors> tensors;
  for (const auto& d : dirs) {
    vals.push_back(validate_model(d, scan));
    run.validation_errors.emplace_back(d, count_severity(vals.back().findings, Severity::kError));
  }
  if (!run.all_valid()) return run;
  for (const auto& v : vals) tensors.push_back(logical_tensors(v.checkpoint, v.quant, v.arch));
  std::vector<QualityModel> models;
  for (size_t i = 0; i < dirs.size(); ++i)
    models.push_back({dirs[i], vals[i].dir.storage, vals[i].config(), &tensors[i]});
  run.outcome = evaluate_quality(models.front(), std::span(models).subspan(1), tokens, options);
  return run;
}

}  // namespace medq
