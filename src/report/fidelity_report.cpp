#include "medq/report/fidelity_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "medq/util/units.hpp"

namespace medq {

bool FidelityReport::all_valid() const {
  return std::all_of(validation_errors.begin(), validation_errors.end(),
                     [](const auto& e) { return e.second == 0; });
}

std::string format_metric(const std::optional<double>& v, int digits) {
  if (!v) return "-";
  return fmt::format("{:.{}f}", *v, digits);
}

namespace {

std::string snr(const ErrorSums& s) {
  if (s.count == 0) return "-";
  auto v = s.snr_db();
  return v ? fmt::format("{:.1f}", *v) : "exact";
}

}  // namespace

ReportSection fidelity_parts_section(const std::vector<VariantFidelity>& variants) {
  ReportSection s;
  s.title = "By part";
  s.table = {{"variant", "part", "tensors", "parameters", "rel. RMS error", "cosine", "SNR dB"},
             {false, false, true, true, true, true, true},
             {}};
  for (const auto& v : variants) {
    for (ModelPart p : kModelParts) {
      auto it = v.parts.find(p);
      if (it == v.parts.end()) continue;
      const auto& o = it->second;
      s.table.rows.push_back({code_span(v.label), std::string(model_part_name(p)),
                              group_digits(o.tensors), group_digits(o.params),
                              format_metric(o.mean_rel_rms), format_metric(o.mean_cosine, 6),
                              snr(o.pooled)});
    }
  }
  return s;
}

FidelityReport build_fidelity_report(std::vector<VariantFidelity> variants,
                                     std::vector<std::pair<std::string, size_t>> errors,
                                     size_t top) {
  FidelityReport r;
  r.top = top;
  r.validation_errors = std::move(errors);
  const std::string ref = variants.empty() ? "" : variants.front().reference;
  size_t invalid = 0;
  for (const auto& e : r.validation_errors) invalid += e.second ? 1 : 0;
  r.headline =
      count_noun(variants.size(), "variant") + " measured against the reference " + code_span(ref) +
      fmt::format(
          ": every tensor present in both with the same logical shape, dequantized and compared "
          "element by element. {}",
          invalid == 0
              ? "Every directory validates without errors."
              : fmt::format("{} of {} directories have validation errors (`medq validate`).",
                            invalid, r.validation_errors.size()));

  {
    ReportSection s;
    s.title = "Summary";
    s.table = {
        {"variant", "tensors", "parameters", "rel. RMS error", "cosine", "SNR dB", "max abs error"},
        {false, true, true, true, true, true, true},
        {}};
    for (const auto& v : variants) {
      const auto& o = v.overall;
      s.table.rows.push_back({code_span(v.label), group_digits(o.tensors), group_digits(o.params),
                              format_metric(o.mean_rel_rms), format_metric(o.mean_cosine, 6),
                              snr(o.pooled), fmt::format("{:.4g}", o.pooled.max_abs)});
    }
    s.notes_after.push_back(
        "rel. RMS error = ||w - w'|| / ||w|| per tensor and cosine = w.w' / (||w|| ||w'||), both "
        "averaged over tensors weighted by parameter count; SNR = 10 log10(sum w^2 / sum "
        "(w - w')^2) over all compared values; max abs error over all values. w: the reference, "
        "w': the variant, both decoded to float (packed weights dequantized).");
    r.sections.push_back(std::move(s));
  }
  r.sections.push_back(fidelity_parts_section(variants));
  {
    ReportSection s;
    s.title = fmt::format("Worst tensors (top {} by relative RMS error)", top);
    s.table = {
        {"variant", "tensor", "stored as", "parameters", "rel. RMS error", "cosine", "SNR dB"},
        {false, false, false, true, true, true, true},
        {}};
    for (const auto& v : variants) {
      std::vector<const TensorFidelity*> worst;
      for (const auto& t : v.tensors) worst.push_back(&t);
      std::stable_sort(worst.begin(), worst.end(), [](const auto* a, const auto* b) {
        return a->sums.rel_rms().value_or(0) > b->sums.rel_rms().value_or(0);
      });
      for (size_t i = 0; i < worst.size() && i < top; ++i) {
        const auto& t = *worst[i];
        s.table.rows.push_back({code_span(v.label), code_span(t.name),
                                t.reference_storage + " -> " + t.variant_storage,
                                group_digits(t.params), format_metric(t.sums.rel_rms()),
                                format_metric(t.sums.cosine(), 6), snr(t.sums)});
      }
    }
    r.sections.push_back(std::move(s));
  }
  {
    ReportSection s;
    s.title = "Not compared";
    for (const auto& v : variants) {
      if (v.skipped.empty() && v.read_errors.empty()) continue;
      std::map<std::string, size_t> reasons;
      for (const auto& [name, why] : v.skipped) ++reasons[why];
      RichText line = code_span(v.label) + ": ";
      bool first = true;
      for (const auto& [why, n] : reasons) {
        line += fmt::format("{}{} {}", first ? "" : "; ", count_noun(n, "tensor"), why);
        first = false;
      }
      for (const auto& e : v.read_errors) {
        line += (first ? "" : "; ") + std::string("read error: ") + e;
        first = false;
      }
      s.notes_before.push_back(line);
    }
    if (s.notes_before.empty()) s.notes_before.push_back("Every tensor was compared.");
    r.sections.push_back(std::move(s));
  }
  r.variants = std::move(variants);
  return r;
}

FidelityReport run_fidelity(const FidelityRequest& request, size_t top) {
  FidelityRun run = measure_variants(request);
  return build_fidelity_report(std::move(run.variants), std::move(run.validation_errors), top);
}

}  // namespace medq
