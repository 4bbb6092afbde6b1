#include "medq/report/sections.hpp"

namespace medq {

RichText& RichText::operator+=(const RichText& more) {
  spans.insert(spans.end(), more.spans.begin(), more.spans.end());
  return *this;
}

RichText code_span(std::string name) {
  RichText t;
  t.spans.push_back({std::move(name), true});
  return t;
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
