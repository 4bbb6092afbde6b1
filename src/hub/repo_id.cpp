#include "medq/hub/repo_id.hpp"

namespace medq {

namespace {

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool valid_part(std::string_view p, size_t max) {
  if (p.empty() || p.size() > max || !word_char(p.front()) || !word_char(p.back())) return false;
  for (char c : p) {
    if (!word_char(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool is_repo_id(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos || s.find('/', slash + 1) != std::string_view::npos) {
    return false;
  }
  if (s.find("--") != std::string_view::npos || s.find("..") != std::string_view::npos) {
    return false;
  }
  return valid_part(s.substr(0, slash), 96) && valid_part(s.substr(slash + 1), 96);
}

std::optional<RepoRef> parse_repo_ref(std::string_view arg) {
  RepoRef r;
  const size_t at = arg.find('@');
  if (at != std::string_view::npos) {
    std::string_view rev = arg.substr(at + 1);
    if (rev.empty()) return std::nullopt;
    r.revision = std::string(rev);
    arg = arg.substr(0, at);
  }
  if (!is_repo_id(arg)) return std::nullopt;
  r.repo_id = std::string(arg);
  return r;
}

bool is_safe_revision(std::string_view rev) {
  if (rev.empty() || rev.size() > 255) return false;
  size_t start = 0;
  while (true) {
    const size_t end = rev.find('/', start);
    std::string_view part =
        rev.substr(start, end == std::string_view::npos ? rev.npos : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      if (c < 0x21 || c > 0x7e || c == '\\') return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace medq
