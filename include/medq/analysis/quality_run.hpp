// `medq quality` end to end as a library call: every directory validated first (one with errors
// is not evaluated), then the forward passes of the quality stage. Kept here, above check/, so
// that quality/ itself never depends on the checks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "medq/model/model_dir.hpp"
#include "medq/quality/quality.hpp"

namespace medq {

struct QualityRun {
  /// Every directory (reference first, then the variants) and its validation error count.
  std::vector<std::pair<std::string, size_t>> validation_errors;
  std::string reference;              ///< the reference directory as given
  std::vector<std::string> variants;  ///< the variant directories as given
  QualityOutcome outcome;             ///< empty when a directory has errors

  bool all_valid() const;
};

QualityRun run_quality(const std::string& reference, const std::vector<std::string>& variants,
                       std::span<const uint32_t> tokens, const QualityOptions& options,
                       const ScanOptions& scan = {});

}  // namespace medq
