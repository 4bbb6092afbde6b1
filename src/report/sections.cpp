#include "medq/report/sections.hpp"

#include "medq/diag/quote.hpp"

namespace medq {

RichText& RichText::operator+=(const RichText& more) {
  spans.insert(spans.end(), more.spans.begin(), more.spans.end());
  return *this;
}

std::string wrap_text(std::string_view text, size_t width, std::string_view indent) {
  std::string out, line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += line.empty() ? std::string(indent) : " ";
    line += word;
  }
  if (!line.empty()) out += line + "\n";
  return out.empty() ? std::string(indent) + "\n" : out;
}

RichText code_span(std::string name) {
  RichText t;
  t.spans.push_back({std::move(name), true});
  return t;
}

RichText report_title(const std::string& command, const std::string& model_name) {
  if (model_name.empty()) return command;
  return command + ": " + code_span(display_text(model_name, 120));
}

std::string to_plain(const RichText& t) {
  std::string out;
  for (const auto& s : t.spans) out += s.text;
  return out;
}

std::string to_markdown(const RichText& t) {
  std::string out;
  for (const auto& s : t.spans) out += s.code ? "`" + s.text + "`" : s.text;
  return out;
}

CellMark RichTable::mark(size_t row, size_t cell) const {
  return row < marks.size() && cell < marks[row].size() ? marks[row][cell] : CellMark::kNone;
}

Table flatten(const RichTable& t, bool markdown) {
  auto cell = [markdown](const RichText& x) { return markdown ? to_markdown(x) : to_plain(x); };
  Table out;
  for (const auto& h : t.headers) out.headers.push_back(cell(h));
  out.right_align = t.right_align;
  for (const auto& row : t.rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(cell(c));
    out.rows.push_back(std::move(cells));
  }
  return out;
}

}  // namespace medq
