// A report laid out as a headline and titled sections (notes and a table), shared by compare and
// fidelity. Plain data: names are marked as such, and each renderer decides how to show them
// (Markdown as code spans, text as they are).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "medq/report/table.hpp"

namespace medq {

/// A run of text; `code` marks a name (a variant, a tensor, a file, a command).
struct Span {
  std::string text;
  bool code = false;
};

/// Text made of spans. Converts from plain strings, so that a note without names reads as one.
struct RichText {
  std::vector<Span> spans;

  RichText() = default;
  RichText(std::string plain) : spans{{std::move(plain), false}} {}  // NOLINT: implicit
  RichText(const char* plain) : RichText(std::string(plain)) {}      // NOLINT: implicit
  explicit RichText(std::string_view plain) : RichText(std::string(plain)) {}

  RichText& operator+=(const RichText& more);
  friend RichText operator+(RichText a, const RichText& b) { return a += b; }
};

/// A name, shown as a code span in Markdown.
RichText code_span(std::string name);

/// A report's title: "medq compare: " and the model's name (made printable, at most 120 bytes)
/// as a name, or the command alone when the name is unknown.
RichText report_title(const std::string& command, const std::string& model_name);

/// `text` broken at spaces into lines of at most `width` characters (a word longer than that
/// keeps a line of its own), each line starting with `indent` (counted in the width) and ending
/// with a newline. Used for the notes and headlines of text reports; tables are never wrapped.
std::string wrap_text(std::string_view text, size_t width, std::string_view indent);

/// The text as it reads in a terminal (spans joined) or in Markdown (names in backticks).
std::string to_plain(const RichText& t);
std::string to_markdown(const RichText& t);

/// A cell that is a verdict: the HTML pages colour it (colours a colour-blind reader can tell
/// apart) and put a symbol before it (so that colour never carries the meaning alone); the text
/// and Markdown reports show the cell's own words.
enum class CellMark : uint8_t { kNone, kPass, kFail, kNotEvaluated };

struct RichTable {
  std::vector<RichText> headers;
  std::vector<bool> right_align;  ///< per column
  std::vector<std::vector<RichText>> rows;
  /// Per row, per cell; rows or cells left out are kNone.
  std::vector<std::vector<CellMark>> marks = {};

  CellMark mark(size_t row, size_t cell) const;
};

/// The table with every cell as to_markdown() or to_plain() gives it.
Table flatten(const RichTable& t, bool markdown);

struct ReportSection {
  std::string title;
  /// The name that selects the section (compare's --sections: "summary", "memory", ...;
  /// section_selection.hpp); empty: shown whatever is selected.
  std::string key;
  std::vector<RichText> notes_before;  ///< paragraphs above the table
  RichTable table;                     ///< may have no rows (then only the notes show)
  std::vector<RichText> notes_after;
};

}  // namespace medq
