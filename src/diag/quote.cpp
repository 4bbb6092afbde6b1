#include "medq/diag/quote.hpp"

#include <fmt/format.h>

#include "medq/util/utf8.hpp"

namespace medq {
namespace {

void append_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
}

}  // namespace

std::string quote_text(std::string_view s, size_t max_bytes) {
  bool cut = false;
  if (s.size() > max_bytes) {
    size_t n = max_bytes;
    // Back up over UTF-8 continuation bytes so the cut never splits a character.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s = s.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  // Pieces of a tokenizer.model are raw bytes; invalid UTF-8 is shown as \xHH so that every
  // report (JSON included) stays valid UTF-8.
  while (!s.empty()) {
    auto bad = first_invalid_utf8(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    size_t good = bad.value_or(s.size());
    append_escaped(out, s.substr(0, good));
    if (!bad) break;
    out += fmt::format("\\x{:02X}", static_cast<unsigned char>(s[good]));
    s.remove_prefix(good + 1);
  }
  out += cut ? "...\"" : "\"";
  return out;
}

std::string display_text(std::string_view s, size_t max_bytes) {
  bool plain = s.size() <= max_bytes;
  for (size_t i = 0; plain && i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    plain = c >= 0x20 && c < 0x7F && c != '`';
  }
  return plain ? std::string(s) : quote_text(s, max_bytes);
}

}  // namespace medq
