#include "medq/io/local_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "medq/io/dir_walk.hpp"
#include "medq/io/file.hpp"

namespace medq {

namespace {

class LocalFile final : public ByteSource {
 public:
  explicit LocalFile(File f) : f_(std::move(f)) {}
  uint64_t size() const override { return f_.size(); }
  std::optional<size_t> read_some_at(uint64_t offset, void* buf, size_t n,
                                     std::string* err) const override {
    return f_.read_some_at(offset, buf, n, err);
  }
  std::optional<uint64_t> current_size(std::string* err) const override {
    return f_.current_size(err);
  }
  void advise_sequential() const override {
    // A hint only. posix_fadvise is Linux's (and the BSDs'); macOS has none, but F_RDAHEAD.
#if defined(POSIX_FADV_SEQUENTIAL)
    (void)::posix_fadvise(f_.fd(), 0, 0, POSIX_FADV_SEQUENTIAL);
#elif defined(F_RDAHEAD)
    (void)::fcntl(f_.fd(), F_RDAHEAD, 1);
#endif
  }
  std::optional<FileId> identity() const override {
    struct stat st {};
    if (::fstat(f_.fd(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }

 private:
  File f_;
};

}  // namespace

std::unique_ptr<ByteSource> open_local_file(const std::filesystem::path& path, std::string* err) {
  auto f = File::open(path, err);
  if (!f) return nullptr;
  return std::make_unique<LocalFile>(std::move(*f));
}

Opened open_local(const std::filesystem::path& path) {
  Opened o;
  o.source = open_local_file(path, &o.error);
  return o;
}

SmallFile read_small_file(const std::filesystem::path& path, uint64_t cap) {
  SmallFile r;
  auto f = open_local_file(path, &r.error);
  if (!f) return r;
  if (f->size() > cap) {
    r.too_large = f->size();
    return r;
  }
  std::string text(static_cast<size_t>(f->size()), '\0');
  if (!f->read_at(0, text.data(), text.size(), &r.error)) return r;
  r.text = std::move(text);
  return r;
}

std::unique_ptr<ByteSource> LocalStorage::open(std::string_view name, std::string* err) const {
  return open_local_file(root_ / name, err);
}

std::string LocalStorage::locate(std::string_view name) const { return (root_ / name).string(); }

StorageListing LocalStorage::list(const ListOptions& opts) const {
  using Type = StorageEntry::Type;
  StorageListing out;
  std::string listing_failed;  // reported after the entries, as the listing ends there
  bool have_current = false;   // the last top-level entry is a directory being summed
  const WalkResult w = walk_tree(
      root_, opts.max_entries,
      [&](const WalkEntry& we) {
        if (we.depth > 0) {
          // Below the top level only regular files count, and no link is followed.
          if (have_current && we.stat_error.empty() && we.type == NodeType::kFile) {
            out.entries.back().bytes += we.size;
            note_inner_file(out.entries.back(), we.rel, we.size);
          }
          return true;
        }
        have_current = false;
        if (!we.stat_error.empty()) {
          out.problems.emplace_back(we.name, we.stat_error);
          return false;
        }
        StorageEntry e;
        e.name = we.name;
        switch (we.type) {
          case NodeType::kFile:
            e.type = Type::kFile;
            e.bytes = we.size;
            break;
          case NodeType::kDirectory:
            e.type = Type::kDirectory;
            have_current = true;
            break;
          case NodeType::kSpecial:
            e.type = Type::kSpecial;
            break;
          case NodeType::kSymlink: {
            LinkFacts t =
                follow_link(*we.root_canonical, we.path, opts.follow_symlinks, store_roots_);
            e.type = Type::kSymlink;
            e.symlink_target = std::move(t.text);
            switch (t.verdict) {
              case LinkVerdict::kLoop:
                e.link = LinkStatus::kLoop;
                break;
              case LinkVerdict::kDirectory:
                e.link = LinkStatus::kDirectory;
                break;
              case LinkVerdict::kSpecial:
                e.link = LinkStatus::kSpecial;
                break;
              case LinkVerdict::kOutside:
                e.link = LinkStatus::kOutside;
                break;
              case LinkVerdict::kFollow:
                e.type = Type::kFile;
                e.link = LinkStatus::kFollowed;
                e.target_outside = t.outside;
                e.target_in_store = t.in_store;
                e.bytes = t.size;
                break;
              default:  // the folder itself cannot be resolved, or the target is not there
                e.link = LinkStatus::kBroken;
                break;
            }
            break;
          }
        }
        out.entries.push_back(std::move(e));
        return have_current;
      },
      [&](const std::string& rel, bool opening, const std::string& msg) {
        if (!rel.empty()) return;  // a subdirectory's sum is a lower bound, as its listing is
        if (opening) {
          out.problems.emplace_back("", "cannot list the directory: " + msg);
        } else {
          listing_failed = "listing the directory failed: " + msg;
        }
      });
  if (!listing_failed.empty()) out.problems.emplace_back("", listing_failed);
  out.truncated = w.truncated;
  return out;
}

}  // namespace medq
