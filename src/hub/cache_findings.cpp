#include "medq/hub/cache_findings.hpp"

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/util/units.hpp"

namespace medq {

namespace {

constexpr size_t kNamed = 5;

std::string blob_list(const std::vector<CacheBlob>& blobs) {
  std::string s;
  for (size_t i = 0; i < blobs.size() && i < kNamed; ++i) {
    s += fmt::format("{}blobs/{} ({})", i ? ", " : "", display_text(short_hash(blobs[i].name), 80),
                     human_bytes(blobs[i].bytes));
  }
  if (blobs.size() > kNamed) s += fmt::format(" and {} more", blobs.size() - kNamed);
  return s;
}

uint64_t total(const std::vector<CacheBlob>& blobs) {
  uint64_t n = 0;
  for (const CacheBlob& b : blobs) n += b.bytes;
  return n;
}

std::string refs_text(const std::vector<std::string>& refs) {
  std::string s;
  for (const auto& r : refs) s += (s.empty() ? "" : ", ") + display_text(r, 80);
  return s;
}

}  // namespace

std::string short_hash(std::string_view name) {
  constexpr size_t kShown = 12;
  if (name.size() <= kShown + 4) return std::string(name);
  return std::string(name.substr(0, kShown)) + "...";
}

Findings cache_repo_findings(const HfSnapshot& snapshot, const CacheRepoScan& scan) {
  Findings out;
  const std::string repo = display_text(snapshot.repo_id, 120);
  if (!scan.incomplete.empty()) {
    out.push_back(file_finding(
        "hf_cache.incomplete_download", Severity::kWarning, "",
        fmt::format("the cache folder of {} holds {} ({}): {}; a download in progress, or one "
                    "abandoned (delete it when no download is running)",
                    repo, count_noun(scan.incomplete.size(), "incomplete download"),
                    human_bytes(total(scan.incomplete)), blob_list(scan.incomplete))));
  }
  if (!scan.unreferenced.empty()) {
    out.push_back(file_finding(
        "hf_cache.unreferenced_blobs", Severity::kInfo, "",
        fmt::format("the cache folder of {} holds {} no snapshot links to ({}): {}; nothing "
                    "reads {}, and deleting {} frees the space",
                    repo, count_noun(scan.unreferenced.size(), "blob"),
                    human_bytes(total(scan.unreferenced)), blob_list(scan.unreferenced),
                    scan.unreferenced.size() == 1 ? "it" : "them",
                    scan.unreferenced.size() == 1 ? "it" : "them")));
  }
  if (!scan.other_snapshots.empty()) {
    std::string list;
    uint64_t freed = 0;
    for (size_t i = 0; i < scan.other_snapshots.size(); ++i) {
      const CacheSnapshotInfo& s = scan.other_snapshots[i];
      freed += s.bytes_not_shared;
      if (i >= kNamed) continue;
      list += fmt::format("{}{} ({}{}, {}, {} of it in blobs the snapshot read does not use)",
                          i ? ", " : "", display_text(short_hash(s.commit), 80),
                          s.refs.empty() ? "" : "refs " + refs_text(s.refs) + "; ",
                          count_noun(s.files, "file"), human_bytes(s.bytes),
                          human_bytes(s.bytes_not_shared));
    }
    if (scan.other_snapshots.size() > kNamed) {
      list += fmt::format(" and {} more", scan.other_snapshots.size() - kNamed);
    }
    out.push_back(file_finding(
        "hf_cache.other_snapshots", Severity::kInfo, "",
        fmt::format("the cache holds {} of {} besides the one read ({}): {}; {} would be freed "
                    "without {}",
                    count_noun(scan.other_snapshots.size(), "more snapshot"), repo,
                    display_text(short_hash(snapshot.commit), 80), list, human_bytes(freed),
                    scan.other_snapshots.size() == 1 ? "it" : "them")));
  }
  if (!scan.problems.empty() || scan.truncated) {
    std::string what = scan.problems.empty() ? "" : display_text(scan.problems.front(), 300);
    if (scan.problems.size() > 1) what += fmt::format(" and {} more", scan.problems.size() - 1);
    if (scan.truncated) {
      what += fmt::format("{}stopped after {} entries", what.empty() ? "" : "; ",
                          group_digits(CacheRepoScan::kMaxEntries));
    }
    out.push_back(file_finding(
        "hf_cache.unreadable", Severity::kWarning, "",
        fmt::format("the cache folder of {} could not be read in full, so what it holds besides "
                    "the snapshot read is incomplete: {}",
                    repo, what)));
  }
  return out;
}

}  // namespace medq
