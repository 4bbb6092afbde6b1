// The hygiene of a cache repository as findings about the model read from it: downloads left
// incomplete (hf_cache.incomplete_download), blobs nothing links to
// (hf_cache.unreferenced_blobs), the repository's other snapshots (hf_cache.other_snapshots),
// and what could not be read (hf_cache.unreadable); docs/findings.md.
#pragma once

#include "medq/diag/finding.hpp"
#include "medq/hub/cache_repo.hpp"

namespace medq {

/// The findings of `scan`, a scan of the repository `snapshot` was read from.
Findings cache_repo_findings(const HfSnapshot& snapshot, const CacheRepoScan& scan);

/// "abc1234def0" for a long blob or commit name (its first 12 characters and "..."), else the
/// name as it is: messages stay readable, and the prefix is enough to find the file.
std::string short_hash(std::string_view name);

}  // namespace medq
