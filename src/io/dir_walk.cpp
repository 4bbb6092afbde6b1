#include "medq/io/dir_walk.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "medq/io/symlink.hpp"

namespace medq {

namespace fs = std::filesystem;

namespace {

std::string_view special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device";
  return "special file";
}

FileId id_of(const struct stat& st) {
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace

LinkFacts follow_link(const fs::path& root_canonical, const fs::path& link, bool follow_outside,
                      std::span<const fs::path> store_roots) {
  LinkFacts f;
  if (root_canonical.empty()) {
    std::error_code ec;
    f.text = fs::read_symlink(link, ec).string();
    f.verdict = LinkVerdict::kRootUnresolved;
    return f;
  }
  LinkTarget t = resolve_link(root_canonical, link);
  f.text = std::move(t.text);
  switch (t.where) {
    case LinkWhere::kLoop:
      f.verdict = LinkVerdict::kLoop;
      return f;
    case LinkWhere::kBroken:
      f.verdict = LinkVerdict::kBroken;
      return f;
    case LinkWhere::kError:
      f.verdict = LinkVerdict::kUnresolved;
      f.error = std::move(t.error);
      return f;
    default:
      break;
  }
  struct stat st {};
  if (::stat(t.resolved.c_str(), &st) != 0) {
    f.verdict = LinkVerdict::kTargetStat;
  } else if (S_ISDIR(st.st_mode)) {
    f.verdict = LinkVerdict::kDirectory;
  } else if (!S_ISREG(st.st_mode)) {
    f.verdict = LinkVerdict::kSpecial;
    f.special_kind = special_kind(st.st_mode);
  } else {
    const bool outside = t.where == LinkWhere::kOutside;
    const bool in_store =
        outside && std::any_of(store_roots.begin(), store_roots.end(), [&](const fs::path& r) {
          return !r.empty() && path_within(r, t.resolved);
        });
    if (outside && !in_store && !follow_outside) {
      f.verdict = LinkVerdict::kOutside;
      return f;
    }
    f.verdict = LinkVerdict::kFollow;
    f.outside = outside;
    f.in_store = in_store;
    f.size = static_cast<uint64_t>(st.st_size);
    f.id = id_of(st);
  }
  return f;
}

WalkResult walk_tree(const fs::path& root, uint64_t max_entries,
                     const std::function<bool(const WalkEntry&)>& visit,
                     const WalkError& on_error) {
  WalkResult result;
  std::error_code cec;
  result.root_canonical = fs::canonical(root, cec);
  if (cec) result.root_canonical.clear();

  // One open directory per level being listed, as a recursive iterator holds them, but with the
  // levels on the heap rather than the call stack.
  struct Level {
    fs::directory_iterator it;
    std::string rel;  // of the directory being listed
    size_t depth;
  };
  std::vector<Level> stack;
  uint64_t seen = 0;
  auto open_level = [&](const fs::path& dir, std::string rel, size_t depth) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      on_error(rel, true, ec.message());
      return;
    }
    stack.push_back({std::move(it), std::move(rel), depth});
  };
  open_level(root, "", 0);
  while (!stack.empty()) {
    Level& level = stack.back();
    if (level.it == fs::directory_iterator()) {
      stack.pop_back();
      continue;
    }
    if (seen == max_entries) {
      result.truncated = true;
      break;
    }
    ++seen;
    WalkEntry e;
    e.path = level.it->path();
    e.name = e.path.filename().string();
    e.rel = level.rel.empty() ? e.name : level.rel + "/" + e.name;
    e.depth = level.depth;
    e.root_canonical = &result.root_canonical;
    struct stat st {};
    if (::lstat(e.path.c_str(), &st) != 0) {
      e.stat_error = std::string("cannot stat: ") + std::strerror(errno);
    } else if (S_ISLNK(st.st_mode)) {
      e.type = NodeType::kSymlink;
    } else if (S_ISDIR(st.st_mode)) {
      e.type = NodeType::kDirectory;
    } else if (S_ISREG(st.st_mode)) {
      e.type = NodeType::kFile;
      e.size = static_cast<uint64_t>(st.st_size);
    } else {
      e.type = NodeType::kSpecial;
      e.special_kind = special_kind(st.st_mode);
    }
    if (e.stat_error.empty()) e.id = id_of(st);
    const bool descend = visit(e) && e.stat_error.empty() && e.type == NodeType::kDirectory;

    // `level` may move when a level is pushed: advance this directory first.
    std::error_code ec;
    level.it.increment(ec);
    if (ec) {
      on_error(level.rel, false, ec.message());
      stack.pop_back();
    }
    if (descend) open_level(e.path, e.rel, e.depth + 1);
  }
  return result;
}

}  // namespace medq
