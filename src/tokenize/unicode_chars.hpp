// Character classes the tokenize stage needs outside regular expressions, as Rust defines them
// (the regex crate's Unicode \s and \w, used by tokenizers' added_vocabulary.rs), and UTF-8
// stepping over text already checked to be valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace medq::tokenize_detail {

/// Length of the UTF-8 character starting at `s[i]` (1 for a stray continuation byte, never past
/// the end).
inline size_t char_len(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  return i + n <= s.size() ? n : s.size() - i;
}

/// The code point at `s[i]` (text is valid UTF-8).
uint32_t code_point_at(std::string_view s, size_t i);
/// Start of the character that ends at byte `end` (> 0).
size_t prev_char_start(std::string_view s, size_t end);

/// Unicode White_Space (Rust regex `\s`).
bool is_white_space(uint32_t cp);
/// Rust regex `\w`: Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control.
bool is_word_char(uint32_t cp);

}  // namespace medq::tokenize_detail
