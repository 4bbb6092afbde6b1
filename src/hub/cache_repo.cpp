#include "medq/hub/cache_repo.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "medq/io/dir_walk.hpp"
#include "medq/io/local_storage.hpp"

namespace medq {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxRefBytes = 1024;

std::string trim(std::string s) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && space(s[i])) ++i;
  return s.substr(i);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Walker {
  CacheRepoScan* scan;
  uint64_t seen = 0;

  // walk_tree over `dir`, sharing one entry budget across the whole repository.
  void walk(const fs::path& dir, const std::function<void(const WalkEntry&)>& visit) {
    if (scan->truncated) return;
    const uint64_t budget = CacheRepoScan::kMaxEntries - seen;
    uint64_t here = 0;
    const WalkResult r = walk_tree(
        dir, budget,
        [&](const WalkEntry& e) {
          ++here;
          if (!e.stat_error.empty()) {
            scan->problems.push_back(e.path.string() + ": " + e.stat_error);
            return false;
          }
          visit(e);
          return true;
        },
        [&](const std::string& rel, bool /*opening*/, const std::string& msg) {
          scan->problems.push_back("cannot list '" + (dir / rel).string() + "': " + msg);
        });
    seen += here;
    if (r.truncated) scan->truncated = true;
  }
};

}  // namespace

CacheRepoScan scan_cache_repo(const HfSnapshot& snapshot) {
  CacheRepoScan scan;
  Walker w{&scan};
  const fs::path& repo = snapshot.repo_dir;
  const fs::path blobs = (repo / "blobs").lexically_normal();

  // refs/: commit -> the refs naming it.
  std::map<std::string, std::vector<std::string>> refs_of;
  std::error_code ec;
  if (fs::is_directory(repo / "refs", ec)) {
    w.walk(repo / "refs", [&](const WalkEntry& e) {
      if (e.type != NodeType::kFile) return;
      SmallFile f = read_small_file(e.path, kMaxRefBytes);
      if (!f.text) {
        scan.problems.push_back("cannot read '" + e.path.string() +
                                "': " + (f.too_large ? "too large for a ref" : f.error));
        return;
      }
      refs_of[trim(*f.text)].push_back(e.rel);
    });
  }

  // snapshots/: each snapshot's files and the blobs they link to.
  std::map<std::string, std::map<std::string, uint64_t>> blobs_of;  // commit -> blob -> bytes
  std::vector<CacheSnapshotInfo> snaps;
  std::vector<fs::path> snapshot_dirs;
  {
    fs::directory_iterator it(repo / "snapshots", ec), end;
    if (ec)
      scan.problems.push_back("cannot list '" + (repo / "snapshots").string() +
                              "': " + ec.message());
    for (; !ec && it != end; it.increment(ec)) {
      std::error_code sec;
      if (it->is_directory(sec) && !it->is_symlink(sec)) snapshot_dirs.push_back(it->path());
    }
  }
  std::sort(snapshot_dirs.begin(), snapshot_dirs.end());
  for (const fs::path& dir : snapshot_dirs) {
    CacheSnapshotInfo info;
    info.commit = dir.filename().string();
    auto& linked = blobs_of[info.commit];
    w.walk(dir, [&](const WalkEntry& e) {
      if (e.type == NodeType::kFile) {
        ++info.files;
        info.bytes += e.size;
      } else if (e.type == NodeType::kSymlink) {
        ++info.files;
        fs::path text = fs::read_symlink(e.path, ec);
        if (ec) return;
        const fs::path hop =
            (text.is_absolute() ? text : e.path.parent_path() / text).lexically_normal();
        struct stat st {};
        const uint64_t bytes =
            ::stat(e.path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? uint64_t(st.st_size) : 0;
        if (hop.parent_path() == blobs) {
          linked.emplace(hop.filename().string(), bytes);
        } else {
          info.bytes += bytes;  // a link elsewhere: counted, not a blob of this repository
        }
      }
    });
    for (const auto& [name, bytes] : linked) info.bytes += bytes;
    auto r = refs_of.find(info.commit);
    if (r != refs_of.end()) {
      info.refs = r->second;
      std::sort(info.refs.begin(), info.refs.end());
    }
    snaps.push_back(std::move(info));
  }
  const auto& read_blobs = blobs_of[snapshot.commit];
  for (CacheSnapshotInfo& s : snaps) {
    if (s.commit == snapshot.commit) {
      scan.read = std::move(s);
      continue;
    }
    for (const auto& [name, bytes] : blobs_of[s.commit]) {
      if (!read_blobs.count(name)) s.bytes_not_shared += bytes;
    }
    scan.other_snapshots.push_back(std::move(s));
  }
  scan.read.commit = snapshot.commit;

  // blobs/: what no snapshot links to, and downloads left incomplete.
  std::set<std::string> referenced;
  for (const auto& [commit, linked] : blobs_of) {
    for (const auto& [name, bytes] : linked) referenced.insert(name);
  }
  {
    fs::directory_iterator it(blobs, ec), end;
    if (ec) scan.problems.push_back("cannot list '" + blobs.string() + "': " + ec.message());
    for (uint64_t n = 0; !ec && it != end; it.increment(ec), ++n) {
      if (n == CacheRepoScan::kMaxEntries) {
        scan.truncated = true;
        break;
      }
      const std::string name = it->path().filename().string();
      struct stat st {};
      if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      CacheBlob b{name, static_cast<uint64_t>(st.st_size)};
      // Older huggingface_hub versions locked a download with <blob>.lock beside it.
      if (ends_with(name, ".lock")) continue;
      if (ends_with(name, ".incomplete")) {
        scan.incomplete.push_back(std::move(b));
      } else if (!referenced.count(name)) {
        scan.unreferenced.push_back(std::move(b));
      }
    }
  }
  std::sort(scan.incomplete.begin(), scan.incomplete.end(),
            [](const CacheBlob& a, const CacheBlob& b) { return a.name < b.name; });
  std::sort(scan.unreferenced.begin(), scan.unreferenced.end(),
            [](const CacheBlob& a, const CacheBlob& b) {
              return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
            });
  return scan;
}

}  // namespace medq
