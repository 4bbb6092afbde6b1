// What a user types to name a Hugging Face repository: `hf://ORG/NAME[@REV][/PATH]`. REV is a
// branch, tag or commit (default "main"); PATH a folder or file inside the repository. Parsed
// strictly: the names keep to the Hub's characters, so that nothing typed can reach another
// part of a URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace medq {

inline constexpr std::string_view kHfScheme = "hf://";

struct HfRef {
  std::string repo;               ///< "ORG/NAME"
  std::string revision = "main";  ///< as given, or "main"
  bool revision_given = false;
  std::string path;  ///< inside the repository, '/'-separated, no leading or trailing '/'

  /// "hf://ORG/NAME@REV" (the @REV part only when it was given), plus "/PATH" when set.
  std::string display() const;
};

/// True when `s` starts with "hf://": the argument names a repository, not a local path.
bool is_hf_url(std::string_view s);

/// Parses `s` (which starts with "hf://"), or returns nullopt with why in `*err`.
std::optional<HfRef> parse_hf_url(std::string_view s, std::string* err);

/// True when `rev` is a full 40-digit lower-case hex commit id.
bool is_commit_id(std::string_view rev);

/// `s` with every byte outside A-Z a-z 0-9 - . _ ~ written as %XX (RFC 3986 unreserved kept);
/// with `keep_slash`, '/' stays too (a path inside the repository).
std::string percent_encode(std::string_view s, bool keep_slash);

}  // namespace medq
