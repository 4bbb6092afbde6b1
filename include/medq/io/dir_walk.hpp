// One walk of a local directory tree and one symlink policy, shared by the model directory scan
// (which lists the top level and sums what lies below) and the manifest (which records every
// file). The walk is iterative (no recursion on untrusted depth), visits entries depth first in
// the order the directory lists them, never follows a link to a directory, and opens nothing but
// directories: entries are examined with lstat, links with readlink, realpath and stat.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "medq/io/file_id.hpp"

namespace medq {

enum class NodeType : uint8_t { kFile, kDirectory, kSymlink, kSpecial };

/// One entry met by walk_tree, as lstat saw it.
struct WalkEntry {
  std::string rel;             ///< relative to the root, '/'-separated
  std::string name;            ///< the last component of `rel`
  std::filesystem::path path;  ///< the root joined with `rel`
  size_t depth = 0;            ///< 0 for the root's own entries
  NodeType type = NodeType::kFile;
  std::string_view special_kind;  ///< for kSpecial: "FIFO", "socket", "device", "special file"
  uint64_t size = 0;              ///< st_size of a regular file
  FileId id;
  std::string stat_error;  ///< lstat failed: "cannot stat: <reason>" (nothing else is set)
  /// The root's canonical path, for follow_link; empty when the root could not be resolved.
  const std::filesystem::path* root_canonical = nullptr;
};

/// What following a symlink would reach, in the order the checks are made.
enum class LinkVerdict : uint8_t {
  kFollow,          ///< a regular file inside the root (or anywhere, when following outside)
  kRootUnresolved,  ///< the root itself has no canonical path: nothing is followed
  kLoop,            ///< too many levels of symbolic links
  kBroken,          ///< the target does not exist
  kUnresolved,      ///< resolving failed for another reason (`error` says why)
  kTargetStat,      ///< the target exists but cannot be stat'ed
  kDirectory,       ///< leads to a directory: never followed
  kSpecial,         ///< leads to a FIFO, socket or device: never opened
  kOutside,         ///< a regular file outside the root, not followed without the option
};

struct LinkFacts {
  LinkVerdict verdict = LinkVerdict::kBroken;
  std::string text;               ///< the link's own text (readlink), for messages
  std::string error;              ///< for kUnresolved
  std::string_view special_kind;  ///< for kSpecial
  bool outside = false;           ///< for kFollow: the target lies outside the root
  /// For kFollow: the target lies in one of the `store_roots` (a Hugging Face cache snapshot's
  /// ../../blobs/), so it was followed without `follow_outside`.
  bool in_store = false;
  uint64_t size = 0;  ///< for kFollow: the target's size
  FileId id;          ///< for kFollow: the target's identity
};

/// The symlink policy of every walk: a link is followed only to a regular file, inside the root
/// or inside one of `store_roots` (canonical folders whose files are the root's own: the blob
/// store of a Hugging Face cache snapshot, io/hf_snapshot.hpp), anywhere else only when
/// `follow_outside`. `root_canonical` is empty when the root could not be resolved.
LinkFacts follow_link(const std::filesystem::path& root_canonical,
                      const std::filesystem::path& link, bool follow_outside,
                      std::span<const std::filesystem::path> store_roots = {});

/// What walk_tree reports besides the entries.
struct WalkResult {
  std::filesystem::path root_canonical;  ///< empty when the root could not be resolved
  bool truncated = false;                ///< stopped at the entry after `max_entries`
};

/// Why a directory could not be listed: `rel` ("" for the root), `opening` when it could not be
/// opened at all (else listing failed part-way), and the system's message.
using WalkError = std::function<void(const std::string& rel, bool opening, const std::string&)>;

/// Walks `root`. `visit` sees every entry and returns true to descend into a directory (its
/// answer for other entries is ignored). The walk stops before the entry after `max_entries`
/// (result.truncated). Directories that cannot be listed go to `on_error`; the walk goes on.
WalkResult walk_tree(const std::filesystem::path& root, uint64_t max_entries,
                     const std::function<bool(const WalkEntry&)>& visit, const WalkError& on_error);

}  // namespace medq
