#include "medq/report/table.hpp"

#include <algorithm>

namespace medq {
namespace {

// Display width: count UTF-8 code points, not bytes, so non-ASCII names still line up.
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string table_to_text(const Table& t, const std::string& indent) {
  const size_t cols = t.headers.size();
  std::vector<size_t> w(cols, 0);
  for (size_t c = 0; c < cols; ++c) w[c] = width(t.headers[c]);
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < cols && c < row.size(); ++c) w[c] = std::max(w[c], width(row[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = indent;
    for (size_t c = 0; c < cols; ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      std::string pad(w[c] - std::min(w[c], width(cell)), ' ');
      bool right = c < t.right_align.size() && t.right_align[c];
      l += right ? pad + cell : cell + (c + 1 < cols ? pad : "");
      if (c + 1 < cols) l += "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(t.headers);
  for (const auto& row : t.rows) line(row);
  return out;
}

std::string table_to_markdown(const Table& t) {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += '\\';
      o += c;
    }
    return o;
  };
  std::string out = "|";
  for (const auto& h : t.headers) out += " " + esc(h) + " |";
  out += "\n|";
  for (size_t c = 0; c < t.headers.size(); ++c) {
    bool right = c < t.right_align.size() && t.right_align[c];
    out += right ? " ---: |" : " --- |";
  }
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (size_t c = 0; c < t.headers.size(); ++c)
      out += " " + esc(c < row.size() ? row[c] : "") + " |";
    out += "\n";
  }
  return out;
}

}  // namespace medq
