// Where a symbolic link inside a model folder leads, decided without opening anything: inside
// the folder, outside it, round in a loop, or nowhere. The directory scan and the manifest walk
// use it to decide whether to follow a link (docs/security.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace medq {

enum class LinkWhere : uint8_t {
  kInside,   ///< resolves to an existing entry inside the folder
  kOutside,  ///< resolves to an existing entry outside the folder
  kLoop,     ///< too many levels of symbolic links (ELOOP): a loop
  kBroken,   ///< the target does not exist
  kError,    ///< resolving failed for another reason (`error` says why)
};

struct LinkTarget {
  LinkWhere where = LinkWhere::kError;
  std::string text;                ///< the link's own text (readlink), for messages
  std::filesystem::path resolved;  ///< the canonical target, when it exists
  std::string error;               ///< for kError
};

/// Resolves the symbolic link `link` (every level, as open() would) and says where it leads
/// relative to `root_canonical`, the canonical path of the model folder. Only readlink, realpath
/// and stat: nothing is opened, and a loop ends at the kernel's limit on link levels.
LinkTarget resolve_link(const std::filesystem::path& root_canonical,
                        const std::filesystem::path& link);

/// True when the canonical path `p` is `root_canonical` or below it.
bool path_within(const std::filesystem::path& root_canonical, const std::filesystem::path& p);

}  // namespace medq
