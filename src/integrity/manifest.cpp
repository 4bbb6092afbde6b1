// make_manifest: walks the model directory (following a symlink only to a regular file inside
// it, or anywhere with follow_symlinks; never opening a FIFO or a device), then hashes the files on
// a small pool of threads, largest first, each file read once.
#include "medq/integrity/manifest.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <span>
#include <system_error>
#include <thread>

#include "file_digest.hpp"
#include "medq/io/symlink.hpp"
#include "medq/util/units.hpp"
#include "medq/util/utf8.hpp"

namespace medq {

size_t Manifest::tensor_count() const {
  size_t n = 0;
  for (const auto& f : files) n += f.tensors ? f.tensors->size() : 0;
  return n;
}

std::optional<FileId> file_id(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::optional<FileId> file_id_of_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

namespace {

namespace fs = std::filesystem;

// A directory with more entries than this is not a model directory; stop rather than run long.
constexpr size_t kMaxEntries = 1'000'000;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool valid_utf8(std::string_view s) {
  return !first_invalid_utf8(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

struct FoundFile {
  std::string rel;
  fs::path abs;
  uint64_t size = 0;
  FileId id;
};

struct Walk {
  std::vector<FoundFile> files;
  std::vector<SkippedEntry> skipped;
  std::vector<ScanError> errors;
};

std::string_view special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device";
  return "special file";
}

// Why a symlink is not recorded, or "" when it is followed (to the regular file `*st`).
std::string link_skip_reason(const fs::path& root_canonical, const fs::path& link, bool follow,
                             struct stat* st) {
  LinkTarget t = resolve_link(root_canonical, link);
  const std::string to = "symlink to " + t.text;
  switch (t.where) {
    case LinkWhere::kLoop:
      return to + ": a loop of links (not followed)";
    case LinkWhere::kBroken:
      return to + ", which does not exist (not followed)";
    case LinkWhere::kError:
      return to + " (cannot resolve: " + t.error + "; not followed)";
    default:
      break;
  }
  if (::stat(t.resolved.c_str(), st) != 0) return to + " (cannot stat the target; not followed)";
  if (S_ISDIR(st->st_mode)) return to + ", a directory (not followed)";
  if (!S_ISREG(st->st_mode))
    return to + ", a " + std::string(special_kind(st->st_mode)) + " (never opened)";
  if (t.where == LinkWhere::kOutside && !follow) {
    return to + ", outside the directory (not followed; --follow-symlinks records it)";
  }
  return "";
}

// Lists `root` and every real subdirectory below it, iteratively (no recursion on untrusted
// depth). Only lstat, and for a symlink realpath and stat: nothing is opened here.
Walk walk(const fs::path& root, const std::vector<FileId>& exclude, bool follow) {
  Walk w;
  std::error_code cec;
  const fs::path root_canonical = fs::canonical(root, cec);
  std::vector<std::string> pending = {""};  // relative directories still to list
  size_t entries = 0;
  while (!pending.empty()) {
    std::string rel_dir = std::move(pending.back());
    pending.pop_back();
    const fs::path dir = rel_dir.empty() ? root : root / rel_dir;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
      if (++entries > kMaxEntries) {
        w.errors.push_back({"", "more than " + group_digits(kMaxEntries) +
                                    " entries below the directory; stopped listing"});
        return w;
      }
      const std::string name = it->path().filename().string();
      const std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      if (!valid_utf8(name)) {
        w.skipped.push_back({rel, "name is not valid UTF-8 (not recorded)"});
        continue;
      }
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) {
        w.errors.push_back({rel, std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        std::string why = cec ? "symlink (the directory cannot be resolved; not followed)"
                              : link_skip_reason(root_canonical, it->path(), follow, &st);
        if (!why.empty()) {
          w.skipped.push_back({rel, std::move(why)});
          continue;
        }
      }
      if (S_ISDIR(st.st_mode)) {
        pending.push_back(rel);
      } else if (S_ISREG(st.st_mode)) {
        FileId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
        if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) {
          w.skipped.push_back({rel, "the manifest itself (not recorded)"});
        } else if (ends_with(name, kManifestSuffix)) {
          w.skipped.push_back({rel, "a manifest (*.manifest.json, not recorded)"});
        } else {
          w.files.push_back({rel, it->path(), static_cast<uint64_t>(st.st_size), id});
        }
      } else {
        w.skipped.push_back({rel, std::string(special_kind(st.st_mode)) + " (never opened)"});
      }
    }
    if (ec) {
      w.errors.push_back({rel_dir, "cannot list the directory: " + ec.message()});
    }
  }
  return w;
}

std::string header_note(const ManifestFile& f) {
  std::string note = f.path + ": safetensors header rejected (" + f.header_error + ")";
  if (!f.tensors) return note + "; hashed as a whole file only, no tensor digests";
  note += "; " + count_noun(f.tensors->size(), "tensor") + " digested";
  if (!f.tensors_past_end.empty()) {
    note += ", " + group_digits(f.tensors_past_end.size()) + " lie past the end of the file";
  }
  return note;
}

}  // namespace

ManifestScan make_manifest(const fs::path& dir, const ManifestOptions& opts) {
  ManifestScan scan;
  Walk w = walk(dir, opts.exclude, opts.follow_symlinks);
  std::sort(w.files.begin(), w.files.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.rel < b.rel; });

  // Largest files first, so that the last file to finish is a small one.
  std::vector<size_t> order(w.files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return w.files[a].size > w.files[b].size; });

  std::vector<ManifestFile> results(w.files.size());
  std::vector<std::string> errors(w.files.size());
  // One byte per file, not std::vector<bool>: threads write neighbouring entries at once.
  std::vector<char> ok(w.files.size(), 0);
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const size_t chunk = std::max<size_t>(opts.chunk_bytes, 1);

  auto worker = [&] {
    try {
      std::vector<uint8_t> buf(chunk);
      for (size_t k = next++; k < order.size(); k = next++) {
        const size_t i = order[k];
        const FoundFile& f = w.files[i];
        results[i].path = f.rel;
        ok[i] = integrity::digest_file(f.abs, f.id, f.rel, ends_with(f.rel, ".safetensors"), buf,
                                       &results[i], &errors[i]);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = order.size();
    }
  };

  unsigned threads = opts.threads ? opts.threads : std::thread::hardware_concurrency();
  threads = static_cast<unsigned>(std::min<size_t>(std::max(threads, 1u), order.size()));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failure) std::rethrow_exception(failure);

  for (size_t i = 0; i < results.size(); ++i) {
    if (!ok[i]) {
      w.errors.push_back({w.files[i].rel, errors[i]});
      continue;
    }
    if (!results[i].header_error.empty()) scan.notes.push_back(header_note(results[i]));
    scan.manifest.files.push_back(std::move(results[i]));
  }
  std::sort(w.skipped.begin(), w.skipped.end(),
            [](const SkippedEntry& a, const SkippedEntry& b) { return a.path < b.path; });
  std::sort(w.errors.begin(), w.errors.end(),
            [](const ScanError& a, const ScanError& b) { return a.path < b.path; });
  std::sort(scan.notes.begin(), scan.notes.end());
  scan.skipped = std::move(w.skipped);
  scan.errors = std::move(w.errors);
  return scan;
}

}  // namespace medq
