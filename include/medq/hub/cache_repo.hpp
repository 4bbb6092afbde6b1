// What else a cache repository folder holds besides the snapshot medq reads: downloads left
// incomplete (blobs/*.incomplete), blobs no snapshot links to, and the other snapshots, each with
// its bytes. Read the way huggingface_hub's own cache scan reads a repository
// (utils/_cache_manager.py, _scan_cached_repo): a snapshot file's blob is the first hop of its
// link, made absolute without resolving further links; a ref file holds a commit. Nothing is
// opened but the small ref files, and nothing is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medq/io/hf_snapshot.hpp"

namespace medq {

struct CacheBlob {
  std::string name;  ///< below blobs/
  uint64_t bytes = 0;
};

struct CacheSnapshotInfo {
  std::string commit;
  std::vector<std::string> refs;  ///< refs naming this commit ("main", "refs/pr/1"), sorted
  uint64_t files = 0;             ///< files it holds (links and regular files)
  uint64_t bytes = 0;             ///< the blobs it links to, each counted once
  /// Of `bytes`, those in blobs the snapshot read does not link to (what deleting it frees).
  uint64_t bytes_not_shared = 0;
};

struct CacheRepoScan {
  CacheSnapshotInfo read;                          ///< the snapshot medq reads
  std::vector<CacheSnapshotInfo> other_snapshots;  ///< sorted by commit
  std::vector<CacheBlob> incomplete;               ///< blobs/*.incomplete, sorted by name
  std::vector<CacheBlob> unreferenced;             ///< blobs no snapshot links to, largest first
  std::vector<std::string> problems;  ///< what could not be listed or read, in the order met
  bool truncated = false;             ///< stopped after kMaxEntries entries
  static constexpr uint64_t kMaxEntries = 200'000;
};

/// Scans the repository folder of `snapshot`.
CacheRepoScan scan_cache_repo(const HfSnapshot& snapshot);

}  // namespace medq
