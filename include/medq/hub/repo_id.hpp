// Repository ids and revisions as the command line gives them: "ORG/NAME", "ORG/NAME@REV", and a
// revision (a branch name or a commit hash) that names a file below refs/ or a folder below
// snapshots/ of the repository's cache folder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace medq {

/// "ORG/NAME" as huggingface_hub accepts a repository id (utils/_validators.py): each part
/// letters, digits, '_', '-' and '.', starting and ending with a letter, digit or '_', the name
/// at most 96 characters, no "--" and no "..". medq asks for the namespace: a bare "NAME" is
/// not looked up (it would shadow too many folder names).
bool is_repo_id(std::string_view s);

struct RepoRef {
  std::string repo_id;
  std::optional<std::string> revision;  ///< after '@', when given
};

/// "ORG/NAME" or "ORG/NAME@REV" (a non-empty REV), or nullopt when `arg` is neither.
std::optional<RepoRef> parse_repo_ref(std::string_view arg);

/// A revision usable as a path below refs/ or snapshots/: '/'-separated non-empty parts, none
/// "." or "..", printable ASCII without a backslash, at most 255 bytes ("main", "refs/pr/1", a
/// commit hash).
bool is_safe_revision(std::string_view rev);

}  // namespace medq
