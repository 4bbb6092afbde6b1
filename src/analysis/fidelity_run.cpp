#include "medq/analysis/fidelity_run.hpp"

#include <optional>
#include <stdexcept>

#include "medq/analysis/comparison.hpp"
#include "medq/analysis/variant.hpp"

namespace medq {

FidelityRun measure_variants(const FidelityRequest& request) {
  const auto& dirs = request.dirs;
  // Validate every directory once (headers and small files only).
  ScanOptions scan;
  scan.follow_symlinks = request.follow_symlinks;
  std::vector<Validation> vals;
  std::vector<CompareInput> inputs;
  for (const auto& d : dirs) {
    vals.push_back(validate_model(d, scan));
    inputs.push_back({d, d});
  }
  // The reference: one of the variants, or a directory of its own.
  size_t ref_index = 0;
  std::optional<Validation> ref_own;
  std::string ref_label;
  if (!request.reference.empty()) {
    if (auto i = find_variant(inputs, request.reference)) {
      ref_index = *i;
    } else {
      ref_own = validate_model(request.reference, scan);
      ref_index = dirs.size();
    }
    ref_label = request.reference;
  } else {
    std::vector<std::optional<double>> bits;
    for (size_t i = 0; i < vals.size(); ++i) {
      bits.push_back(analyze_variant(vals[i], dirs[i]).bits_per_weight);
    }
    ref_index = most_precise(bits);
    ref_label = dirs.empty() ? "" : dirs[ref_index];
  }
  const Validation* ref = ref_own ? &*ref_own : (vals.empty() ? nullptr : &vals[ref_index]);

  FidelityRun run;
  for (size_t i = 0; i < vals.size(); ++i) {
    run.validation_errors.emplace_back(dirs[i], count_severity(vals[i].findings, Severity::kError));
    if (!ref_own && i == ref_index) continue;
    FidelityOptions fo;
    fo.threads = request.threads;
    fo.progress = progress_step(request.progress, "comparing " + dirs[i]);
    run.variants.push_back(measure_fidelity(*ref, vals[i], ref_label, dirs[i], fo));
  }
  if (ref_own) {
    run.validation_errors.emplace_back(ref_label,
                                       count_severity(ref_own->findings, Severity::kError));
  }
  if (run.variants.empty()) {
    throw std::invalid_argument(
        "nothing to compare: give at least one variant besides the reference");
  }
  return run;
}

}  // namespace medq
