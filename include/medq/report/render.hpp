// Renderers of the inspect, validate, compare and fidelity reports: pure functions from a report
// to text, one source file per output format (render_text.cpp, render_markdown.cpp,
// render_json.cpp), each report with all three. The other commands' renderers have headers of
// their own: `medq verify`'s in render_verify.hpp; `medq check`'s text, Markdown and JSON beside
// its report in check_report.hpp, its JUnit XML in junit.hpp and its GitHub annotations in
// github_annotations.hpp. `OutputFormat` and `render()` here serve them all.
#pragma once

#include <string>
#include <string_view>

#include "medq/report/compare_report.hpp"
#include "medq/report/fidelity_report.hpp"
#include "medq/report/inspect_report.hpp"
#include "medq/report/quality_report.hpp"
#include "medq/report/validate_report.hpp"
#include "medq/util/units.hpp"

namespace medq {

/// kHtml: one self-contained page with charts, for compare, fidelity and check
/// (render_html.cpp, check_report.hpp).
enum class OutputFormat { kText, kMarkdown, kJson, kHtml };

/// The width text reports wrap their notes to when the caller knows no better (not a terminal).
inline constexpr size_t kTextWidth = 80;

/// Version of every JSON document medq writes; bumped on any incompatible change (docs/json.md).
inline constexpr int kJsonSchemaVersion = 1;

std::string render_text(const InspectReport& r);
std::string render_markdown(const InspectReport& r);
std::string render_json(const InspectReport& r);
std::string render_text(const ValidateReport& r);
std::string render_markdown(const ValidateReport& r);
std::string render_json(const ValidateReport& r);

std::string render_text(const CompareReport& r, size_t width = kTextWidth);
std::string render_markdown(const CompareReport& r);
std::string render_json(const CompareReport& r);

std::string render_text(const FidelityReport& r, size_t width = kTextWidth);
std::string render_markdown(const FidelityReport& r);
std::string render_json(const FidelityReport& r);

std::string render_html(const CompareReport& r);
std::string render_html(const FidelityReport& r);

std::string render_text(const QualityReport& r, size_t width = kTextWidth);
std::string render_markdown(const QualityReport& r);
std::string render_json(const QualityReport& r);

/// `width`: the terminal's width in characters, to which the text renderings of the reports laid
/// out in sections (compare, fidelity, quality) wrap their notes (the library never asks the
/// terminal; the CLI does).
template <typename Report>
std::string render(const Report& r, OutputFormat f, size_t width = kTextWidth) {
  switch (f) {
    case OutputFormat::kText:
      if constexpr (requires { render_text(r, width); }) {
        return render_text(r, width);
      } else {
        return render_text(r);
      }
    case OutputFormat::kMarkdown:
      return render_markdown(r);
    case OutputFormat::kJson:
      return render_json(r);
    case OutputFormat::kHtml:
      if constexpr (requires { render_html(r); }) return render_html(r);
      return {};  // the CLI offers html only where a report has it
  }
  return {};
}

}  // namespace medq
