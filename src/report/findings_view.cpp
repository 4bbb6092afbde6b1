#include "medq/report/findings_view.hpp"

#include <fmt/format.h>

#include "medq/report/render.hpp"

namespace medq {

using ojson = nlohmann::ordered_json;

std::string location_detail(const Location& w) {
  std::vector<std::string> parts;
  if (!w.tensor.empty()) parts.push_back("tensor '" + w.tensor + "'");
  if (!w.json_pointer.empty()) parts.push_back(w.json_pointer);
  if (w.line) parts.push_back(fmt::format("line {}, column {}", *w.line, w.column.value_or(0)));
  if (w.byte_offset && !w.line) parts.push_back("byte " + group_digits(*w.byte_offset));
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  return s;
}

std::string findings_to_text(const Findings& findings) {
  std::string out;
  std::string current = "\x01";
  for (const auto& f : findings) {
    const std::string file = f.where.file.empty() ? "(directory)" : f.where.file;
    if (file != current) {
      out += file + "\n";
      current = file;
    }
    std::string loc = location_detail(f.where);
    out += fmt::format("  {:<7} {}{}: {}\n", severity_name(f.severity), f.code,
                       loc.empty() ? "" : " [" + loc + "]", f.message);
  }
  return out;
}

RichTable findings_table(const Findings& findings) {
  RichTable t{{"severity", "code", "file", "where", "message"}, {}, {}, {}};
  for (const auto& f : findings) {
    t.rows.push_back({std::string(severity_name(f.severity)), code_span(f.code),
                      f.where.file.empty() ? RichText() : code_span(f.where.file),
                      location_detail(f.where), f.message});
  }
  return t;
}

std::string findings_to_markdown(const Findings& findings) {
  return table_to_markdown(flatten(findings_table(findings), true));
}

namespace {

ojson finding_json(const Finding& f) {
  ojson j;
  j["code"] = f.code;
  j["severity"] = std::string(severity_name(f.severity));
  j["file"] = f.where.file;
  if (!f.where.tensor.empty()) j["tensor"] = f.where.tensor;
  if (!f.where.json_pointer.empty()) j["json_pointer"] = f.where.json_pointer;
  if (f.where.byte_offset) j["byte_offset"] = *f.where.byte_offset;
  if (f.where.line) j["line"] = *f.where.line;
  if (f.where.column) j["column"] = *f.where.column;
  j["message"] = f.message;
  return j;
}

}  // namespace

ojson findings_to_json(const Findings& fs) {
  ojson a = ojson::array();
  for (const auto& f : fs) a.push_back(finding_json(f));
  return a;
}

ojson findings_summary_json(const Findings& fs) {
  ojson j;
  j["errors"] = count_severity(fs, Severity::kError);
  j["warnings"] = count_severity(fs, Severity::kWarning);
  j["info"] = count_severity(fs, Severity::kInfo);
  return j;
}

}  // namespace medq
