#include "medq/remote/hf_url.hpp"

#include <cstdint>

#include "medq/remote/hub_json.hpp"

namespace medq {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// One ORG or NAME: the Hub's repository name characters, not "." or "..", at most 96 bytes.
bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 96 || s == "." || s == "..") return false;
  for (char c : s) {
    if (!name_char(c)) return false;
  }
  return true;
}

// A revision: a branch, tag or commit. Git ref names are wide; these keep to what is safe in a
// URL path segment once encoded, and refuse what no ref may hold (control bytes, "..", spaces).
bool valid_revision(std::string_view s) {
  if (s.empty() || s.size() > 255 || s.find("..") != std::string_view::npos) return false;
  if (s.front() == '/' || s.back() == '/') return false;
  for (char c : s) {
    if (!name_char(c) && c != '/' && c != '+' && c != '=') return false;
  }
  return true;
}

}  // namespace

std::string HfRef::display() const {
  std::string s(kHfScheme);
  s += repo;
  if (revision_given) s += "@" + revision;
  if (!path.empty()) s += "/" + path;
  return s;
}

bool is_hf_url(std::string_view s) { return s.substr(0, kHfScheme.size()) == kHfScheme; }

bool is_commit_id(std::string_view rev) {
  if (rev.size() != 40) return false;
  for (char c : rev) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<HfRef> parse_hf_url(std::string_view s, std::string* err) {
  if (!is_hf_url(s)) {
    *err = "not an hf:// address";
    return std::nullopt;
  }
  std::string_view rest = s.substr(kHfScheme.size());
  HfRef ref;
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    *err = "give the repository as hf://ORG/NAME";
    return std::nullopt;
  }
  std::string_view org = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  // NAME ends at '@' (a revision follows) or '/' (a path follows).
  const size_t name_end = rest.find_first_of("@/");
  std::string_view name = rest.substr(0, name_end);
  if (!valid_name(org) || !valid_name(name)) {
    *err = "the repository must be ORG/NAME, each of letters, digits, '-', '_' and '.'";
    return std::nullopt;
  }
  ref.repo = std::string(org) + "/" + std::string(name);
  rest = name_end == std::string_view::npos ? std::string_view{} : rest.substr(name_end);
  if (!rest.empty() && rest.front() == '@') {
    rest = rest.substr(1);
    // A revision may hold '/' (refs/pr/1, a branch "feature/x"): a path after it is only
    // possible with a revision that has none, so the revision runs to the first '/' unless
    // it starts "refs/".
    size_t rev_end = rest.find('/');
    if (rest.substr(0, 5) == "refs/") {
      size_t second = rest.find('/', 5);
      rev_end =
          second == std::string_view::npos ? std::string_view::npos : rest.find('/', second + 1);
    }
    std::string_view rev = rest.substr(0, rev_end);
    if (!valid_revision(rev)) {
      *err = "the revision after '@' must be a branch, tag or commit";
      return std::nullopt;
    }
    ref.revision = std::string(rev);
    ref.revision_given = true;
    rest = rev_end == std::string_view::npos ? std::string_view{} : rest.substr(rev_end);
  }
  if (!rest.empty()) {
    rest = rest.substr(1);  // the '/'
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) return ref;
    if (!safe_repo_path(rest)) {
      *err =
          "the path inside the repository has an empty, '.' or '..' part, a backslash, a "
          "control byte or invalid UTF-8";
      return std::nullopt;
    }
    ref.path = std::string(rest);
  }
  return ref;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<uint8_t>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace medq
