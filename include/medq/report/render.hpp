// Renderers: pure functions from a report to text. One file per output format
// (render_text.cpp, render_markdown.cpp, render_json.cpp); every report type has all three.
#pragma once

#include <string>
#include <string_view>

#include "medq/report/inspect_report.hpp"

namespace medq {

enum class OutputFormat { kText, kMarkdown, kJson };

/// Version of every JSON document medq writes; bumped on any incompatible change (docs/json.md).
inline constexpr int kJsonSchemaVersion = 1;

std::string render_text(const InspectReport& r);
std::string render_markdown(const InspectReport& r);
std::string render_json(const InspectReport& r);

template <typename Report>
std::string render(const Report& r, OutputFormat f) {
  switch (f) {
    case OutputFormat::kText:
      return render_text(r);
    case OutputFormat::kMarkdown:
      return render_markdown(r);
    case OutputFormat::kJson:
      return render_json(r);
  }
  return {};
}

/// 1234567 -> "1,234,567".
std::string group_digits(uint64_t v);
/// "1 tensor", "1,402 tensors".
std::string count_noun(uint64_t n, std::string_view noun);
/// Shape as "[2560, 320]"; "[]" for a scalar.
std::string shape_to_string(const std::vector<uint64_t>& shape);
/// 3212345678 -> "3.21 GB" (decimal units, as file managers and the Hub show sizes).
std::string human_bytes(uint64_t v);

}  // namespace medq
