#include "medq/report/section_selection.hpp"

#include <algorithm>
#include <stdexcept>

namespace medq {

bool SectionSelection::shows(std::string_view key) const {
  return names.empty() || key.empty() || std::find(names.begin(), names.end(), key) != names.end();
}

const std::vector<std::string>& compare_section_names() {
  static const std::vector<std::string> kNames = {
      "decision", "summary", "quantization", "sizes",        "parameters", "bits",  "memory",
      "fidelity", "quality", "validation",   "architecture", "tokenizer",  "remote"};
  return kNames;
}

namespace {

std::string valid_names() {
  std::string out;
  for (const std::string& n : compare_section_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

SectionSelection parse_compare_sections(std::string_view list) {
  std::vector<bool> chosen(compare_section_names().size(), false);
  size_t pos = 0;
  while (true) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string_view name = trimmed(list.substr(pos, comma - pos));
    const auto& names = compare_section_names();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      throw std::invalid_argument((name.empty()
                                       ? std::string("--sections: an empty section name")
                                       : "--sections: no section '" + std::string(name) + "'") +
                                  "; the sections are " + valid_names());
    }
    chosen[static_cast<size_t>(it - names.begin())] = true;
    if (comma == list.size()) break;
    pos = comma + 1;
  }
  SectionSelection s;
  for (size_t i = 0; i < chosen.size(); ++i)
    if (chosen[i]) s.names.push_back(compare_section_names()[i]);
  return s;
}

SectionSelection compare_summary_sections() { return {{"decision", "summary"}}; }

std::vector<ReportSection> shown_sections(const std::vector<ReportSection>& sections,
                                          const SectionSelection& selection) {
  std::vector<ReportSection> out;
  for (const ReportSection& s : sections)
    if (selection.shows(s.key)) out.push_back(s);
  return out;
}

}  // namespace medq
