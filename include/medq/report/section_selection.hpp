// Which sections of `medq compare`'s report the text, Markdown and HTML renderings show
// (--sections LIST, --summary): each section carries the name that selects it
// (ReportSection::key); the JSON rendering is always whole (docs/compare.md#sections).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "medq/report/sections.hpp"

namespace medq {

struct SectionSelection {
  std::vector<std::string> names;  ///< the names chosen, in report order; empty: every section

  /// Whether a section named `key` shows: every one without a selection, a section without a
  /// name (the findings about the comparison itself) always.
  bool shows(std::string_view key) const;
};

/// The names --sections takes, in the report's order: decision, summary, quantization, sizes,
/// parameters, bits, memory, fidelity, quality, validation, architecture, tokenizer, remote.
const std::vector<std::string>& compare_section_names();

/// "summary,memory": the names, comma-separated, spaces around them ignored, each once, in any
/// order (the report keeps its own). Throws std::invalid_argument, naming the valid names, for an
/// unknown or empty name.
SectionSelection parse_compare_sections(std::string_view list);

/// --summary, the first screen: the decision and the summary.
SectionSelection compare_summary_sections();

/// The sections of `sections` that `selection` shows, in their order.
std::vector<ReportSection> shown_sections(const std::vector<ReportSection>& sections,
                                          const SectionSelection& selection);

}  // namespace medq
