// What `medq fidelity` reports: per variant, how far its weights are from the reference's,
// overall, per model part and for the worst tensors. Laid out as sections for text and Markdown;
// the JSON renderer writes the numbers.
#pragma once

#include <string>
#include <vector>

#include "medq/analysis/fidelity.hpp"
#include "medq/analysis/fidelity_run.hpp"
#include "medq/report/compare_report.hpp"

namespace medq {

struct FidelityReport {
  std::string model_name;  ///< the model measured, for the title ("" when unknown)
  std::vector<VariantFidelity> variants;
  std::vector<std::pair<std::string, size_t>> validation_errors;  ///< label, errors (all dirs)
  size_t top = 10;  ///< worst tensors listed per variant
  RichText headline;
  std::vector<ReportSection> sections;

  bool all_valid() const;
};

/// "0.0123" style numbers: relative errors and cosines with enough digits to tell 8 from 4 bits.
std::string format_metric(const std::optional<double>& v, int digits = 4);

/// "By part": per variant and model part, the tensors, parameters, rel. RMS error, cosine and
/// SNR (medq fidelity's section, and compare's with --fidelity).
ReportSection fidelity_parts_section(const std::vector<VariantFidelity>& variants);

FidelityReport build_fidelity_report(std::vector<VariantFidelity> variants,
                                     std::vector<std::pair<std::string, size_t>> validation_errors,
                                     size_t top);

/// `medq fidelity` as one call: measure_variants(), laid out with the `top` worst tensors per
/// variant. Throws as measure_variants() does.
FidelityReport run_fidelity(const FidelityRequest& request, size_t top);

}  // namespace medq
