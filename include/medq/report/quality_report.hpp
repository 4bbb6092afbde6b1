// What `medq quality` reports: per variant, how far its next-token distributions are from the
// reference's (KL divergence, top-1 agreement, perplexity, change in the next token's
// probability), as sections for text and Markdown; the JSON renderer writes the numbers.
#pragma once

#include <string>
#include <vector>

#include "medq/analysis/quality_run.hpp"
#include "medq/report/compare_report.hpp"
#include "medq/report/sections.hpp"

namespace medq {

struct QualityReport {
  QualityRun run;          ///< run.outcome.result is set
  std::string model_name;  ///< the model measured, for the title ("" when unknown)
  RichText headline;
  std::vector<ReportSection> sections;
};

QualityReport build_quality_report(QualityRun run);

/// "Summary" of medq quality: the reference's perplexity, then per variant the KLD's mean,
/// standard error, median, 99th percentile and maximum, the same top-1, PPL and its ratio, and
/// the next token's change in probability; with the note that defines them. compare --quality
/// shows it too.
ReportSection quality_summary_section(const QualityResult& q, const std::string& reference);

/// A statistic as the text reports show it: four significant digits (the last digits of a
/// float32 forward pass depend on the BLAS kernel the CPU selects, so more would not repeat
/// across machines).
std::string quality_number(double v);
/// A fraction as a percentage with two decimals: "93.75%".
std::string quality_percent(double v);

}  // namespace medq
