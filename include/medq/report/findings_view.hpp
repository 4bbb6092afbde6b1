// How a finding's location reads in text and Markdown: "file: tensor 'x' @ byte 123 (/ptr)".
// Shared by every renderer so a finding looks the same in every report; and the JSON form of a
// list of findings.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/report/sections.hpp"
#include "medq/report/table.hpp"

namespace medq {

/// The location without the file name: tensor, JSON pointer, line:column, byte offset.
std::string location_detail(const Location& where);

/// One line per finding, grouped under their file, for a terminal.
std::string findings_to_text(const Findings& findings);

/// The findings as a table: severity, code, file, where (location_detail), message.
RichTable findings_table(const Findings& findings);

/// A Markdown table of findings (findings_table).
std::string findings_to_markdown(const Findings& findings);

/// The JSON `findings` array (docs/json.md "Common parts").
nlohmann::ordered_json findings_to_json(const Findings& findings);

/// The JSON `summary`: {"errors": n, "warnings": n, "info": n}.
nlohmann::ordered_json findings_summary_json(const Findings& findings);

}  // namespace medq
