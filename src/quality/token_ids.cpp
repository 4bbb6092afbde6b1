#include "medq/quality/token_ids.hpp"

#include <algorithm>
#include <charconv>

namespace medq {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::optional<std::vector<uint32_t>> parse_token_ids(std::string_view s, const std::string& source,
                                                     std::string* err) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size()) break;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + j, v);
    if (ec != std::errc() || p != s.data() + j) {
      *err = source + ": token " + std::to_string(out.size() + 1) + " '" +
             std::string(s.substr(i, std::min<size_t>(j - i, 40))) +
             "' is not a decimal token id below 2^32";
      return std::nullopt;
    }
    out.push_back(v);
    i = j;
  }
  if (out.empty()) {
    *err = source + ": no token ids";
    return std::nullopt;
  }
  return out;
}

}  // namespace medq
