// Line and column of a byte offset in a text file, for JSON syntax errors. JSON parsers report a
// byte count; people want "line 12, column 5".
#pragma once

#include <cstdint>
#include <string_view>

namespace medq {

/// A 1-based line and a 1-based column counted in bytes (not characters) from the line start.
struct TextPosition {
  uint64_t line = 1;
  uint64_t column = 1;
};

/// Incremental line counter: feed the text in order, chunk by chunk, up to the offset wanted.
class TextPositionCounter {
 public:
  /// Consumes the next `chunk` of text.
  void feed(std::string_view chunk);
  /// Position of the byte right after everything fed so far.
  TextPosition position() const { return {line_, column_}; }

 private:
  uint64_t line_ = 1;
  uint64_t column_ = 1;
};

/// Position of the byte at `offset` in `text` (offsets past the end give the end position).
TextPosition text_position(std::string_view text, uint64_t offset);

}  // namespace medq
