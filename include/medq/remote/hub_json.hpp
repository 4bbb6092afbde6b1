// The two JSON answers of the Hugging Face Hub API that medq reads, parsed from untrusted bytes:
// a revision's info (`GET /api/models/ORG/NAME/revision/REV`, huggingface_hub's model_info:
// its "sha" is the commit the revision points to) and one page of a revision's tree
// (`GET /api/models/ORG/NAME/tree/REV?recursive=true`, huggingface_hub's list_repo_tree: an
// array of {"type": "file" | "directory", "path", "size", "lfs": {"size", ...}}). Every path is
// checked to stay inside the repository and every size to be a whole number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

/// Nesting deeper than this in a Hub answer is refused before it is parsed.
inline constexpr size_t kMaxHubJsonDepth = 32;

/// The commit ("sha", 40 lower-case hex digits) of a revision-info answer, or nullopt with why
/// in `*err`.
std::optional<std::string> parse_revision_commit(std::string_view body, std::string* err);

struct HubTreeEntry {
  enum class Type : uint8_t { kFile, kDirectory };
  Type type = Type::kFile;
  std::string path;  ///< relative to the repository root, '/'-separated, checked
  uint64_t size = 0;
};

/// One page of a tree listing, in the order given, or nullopt with why in `*err`. Entries of a
/// type other than file or directory are refused, as are unsafe paths ('..', '.', empty parts,
/// a leading '/', a backslash, control bytes, invalid UTF-8), sizes that are not whole numbers
/// below 2^62, and a file whose "lfs" size differs from its "size".
std::optional<std::vector<HubTreeEntry>> parse_tree_page(std::string_view body, std::string* err);

/// Whether `path` is a safe relative path inside a repository (the rules above).
bool safe_repo_path(std::string_view path);

/// A tree listing written back as JSON (an array of {"type", "path", "size"}), which
/// parse_tree_page reads: the form the fetch cache keeps.
std::string tree_to_json(const std::vector<HubTreeEntry>& entries);

}  // namespace medq
