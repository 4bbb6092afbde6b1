#include "medq/io/text_position.hpp"

#include <algorithm>

namespace medq {

void TextPositionCounter::feed(std::string_view chunk) {
  size_t last_newline = chunk.rfind('\n');
  if (last_newline == std::string_view::npos) {
    column_ += chunk.size();
    return;
  }
  line_ += static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  column_ = 1 + (chunk.size() - last_newline - 1);
}

TextPosition text_position(std::string_view text, uint64_t offset) {
  TextPositionCounter c;
  c.feed(text.substr(0, static_cast<size_t>(std::min<uint64_t>(offset, text.size()))));
  return c.position();
}

}  // namespace medq
