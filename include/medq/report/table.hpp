// A plain table (header row, rows of cells, a numeric flag per column) and its two layouts:
// space-aligned text for a terminal and a GitHub-flavoured Markdown table.
#pragma once

#include <string>
#include <vector>

namespace medq {

struct Table {
  std::vector<std::string> headers;
  std::vector<bool> right_align;  ///< per column; numbers read better right-aligned
  std::vector<std::vector<std::string>> rows;
};

/// Columns padded to their widest cell, two spaces apart, each line prefixed by `indent`.
std::string table_to_text(const Table& t, const std::string& indent = "  ");

/// A Markdown table; `|` in cells is escaped.
std::string table_to_markdown(const Table& t);

}  // namespace medq
