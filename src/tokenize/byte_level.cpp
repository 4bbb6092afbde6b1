#include "medq/tokenize/byte_level.hpp"

#include <array>
#include <cstdint>

namespace medq {

namespace {

/// byte_level.rs, bytes_char(): the printable Latin-1 bytes stand for themselves, the others
/// (0-32, 127-160, 173) take the code points from 256 upwards, in byte order.
struct Table {
  std::array<uint32_t, 256> cp{};
  std::array<std::string, 256> utf8;
  Table() {
    uint32_t n = 0;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
      cp[b] = printable ? b : 256 + n++;
      const uint32_t c = cp[b];
      std::string s;
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
      }
      utf8[b] = s;
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

std::string bytes_to_byte_level(std::string_view bytes) {
  const Table& t = table();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out += t.utf8[static_cast<unsigned char>(c)];
  return out;
}

std::optional<std::string> byte_level_to_bytes(std::string_view token) {
  static const std::array<int, 512> inverse = [] {
    std::array<int, 512> inv{};
    inv.fill(-1);
    const Table& t = table();
    for (int b = 0; b < 256; ++b) inv[t.cp[b]] = b;
    return inv;
  }();
  std::string out;
  for (size_t i = 0; i < token.size();) {
    const auto c0 = static_cast<unsigned char>(token[i]);
    uint32_t cp = 0;
    if (c0 < 0x80) {
      cp = c0;
      i += 1;
    } else if ((c0 & 0xE0) == 0xC0 && i + 1 < token.size()) {
      cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(token[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return std::nullopt;
    }
    if (cp >= inverse.size() || inverse[cp] < 0) return std::nullopt;
    out += static_cast<char>(inverse[cp]);
  }
  return out;
}

}  // namespace medq
