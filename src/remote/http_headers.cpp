#include "medq/remote/http_headers.hpp"

#include <cctype>

namespace medq {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits only, 1 to 19 of them (fits in uint64_t without overflow checks).
std::optional<uint64_t> parse_digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Whether a link's parameters (after the '>') hold rel=next.
bool has_rel_next(std::string_view params) {
  size_t pos = 0;
  while (pos < params.size()) {
    size_t semi = params.find(';', pos);
    if (semi == std::string_view::npos) semi = params.size();
    std::string_view p = trim(params.substr(pos, semi - pos));
    pos = semi + 1;
    const size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    if (!iequals(trim(p.substr(0, eq)), "rel")) continue;
    std::string_view v = trim(p.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    // rel may list several relation types separated by spaces.
    size_t i = 0;
    while (i < v.size()) {
      size_t sp = v.find(' ', i);
      if (sp == std::string_view::npos) sp = v.size();
      if (iequals(v.substr(i, sp - i), "next")) return true;
      i = sp + 1;
    }
  }
  return false;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  std::string_view v = trim(value);
  if (v.size() < 6 || !iequals(v.substr(0, 6), "bytes ")) return std::nullopt;
  v = trim(v.substr(6));
  const size_t dash = v.find('-');
  const size_t slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  auto first = parse_digits(v.substr(0, dash));
  auto last = parse_digits(v.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  ContentRange r{*first, *last, std::nullopt};
  std::string_view complete = v.substr(slash + 1);
  if (complete != "*") {
    auto c = parse_digits(complete);
    if (!c || *last >= *c) return std::nullopt;
    r.complete = *c;
  }
  return r;
}

std::optional<std::string> parse_link_next(std::string_view value) {
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t open = value.find('<', pos);
    if (open == std::string_view::npos) return std::nullopt;
    const size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view target = value.substr(open + 1, close - open - 1);
    // The link's parameters run to the next ',' that starts another link.
    size_t end = value.find(',', close + 1);
    while (end != std::string_view::npos) {
      std::string_view after = trim(value.substr(end + 1));
      if (after.empty() || after.front() == '<') break;
      end = value.find(',', end + 1);
    }
    if (end == std::string_view::npos) end = value.size();
    if (has_rel_next(value.substr(close + 1, end - close - 1))) {
      if (target.empty()) return std::nullopt;
      for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return std::nullopt;
      }
      return std::string(target);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_retry_after_seconds(std::string_view value) {
  return parse_digits(trim(value));
}

}  // namespace medq
