// `medq fidelity` as one call: several variants of one model, each measured against one
// reference variant (given, or the most precise of them), each directory validated once.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "medq/analysis/fidelity.hpp"
#include "medq/util/progress.hpp"

namespace medq {

struct FidelityRequest {
  std::vector<std::string> dirs;  ///< the variants, as given; existing directories
  /// The reference, as given; empty = the most precise of `dirs`. It may be one of `dirs` (then
  /// it is not measured against itself) or a directory of its own.
  std::string reference;
  /// The report's names of `dirs` and of the reference (variant_labels); empty = as given.
  std::vector<std::string> labels;
  std::string reference_label;
  unsigned threads = 0;  ///< 0 = one per core
  bool follow_symlinks = false;
  StepProgressFn progress;  ///< one step per variant measured, "comparing DIR"
};

struct FidelityRun {
  std::vector<VariantFidelity> variants;  ///< in the order of `dirs`, the reference left out
  /// Error findings per directory as given: `dirs` in order, then a reference of its own.
  std::vector<std::pair<std::string, size_t>> validation_errors;
};

/// Validates every directory and measures each variant against the reference. Throws
/// std::invalid_argument when no variant is left besides the reference.
FidelityRun measure_variants(const FidelityRequest& request);

}  // namespace medq
