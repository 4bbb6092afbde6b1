// make_manifest: walks the model directory (following a symlink only to a regular file inside
// it or, for a Hugging Face cache snapshot, in its repository's blobs; anywhere with
// follow_symlinks; never opening a FIFO or a device), then hashes the files on
// a small pool of threads, largest first, each file read once.
#include "medq/integrity/manifest.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <span>
#include <thread>

#include "file_digest.hpp"
#include "medq/io/dir_walk.hpp"
#include "medq/io/hf_snapshot.hpp"
#include "medq/io/local_storage.hpp"
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
  uint64_t size = 0;
  FileId id;
};

struct Walk {
  std::vector<FoundFile> files;
  std::vector<SkippedEntry> skipped;
  std::vector<ScanError> errors;
};

// Why a symlink is not recorded, or "" when it is followed.
std::string link_skip_reason(const LinkFacts& t) {
  const std::string to = "symlink to " + t.text;
  switch (t.verdict) {
    case LinkVerdict::kFollow:
      return "";
    case LinkVerdict::kRootUnresolved:
      return "symlink (the directory cannot be resolved; not followed)";
    case LinkVerdict::kLoop:
      return to + ": a loop of links (not followed)";
    case LinkVerdict::kBroken:
      return to + ", which does not exist (not followed)";
    case LinkVerdict::kUnresolved:
      return to + " (cannot resolve: " + t.error + "; not followed)";
    case LinkVerdict::kTargetStat:
      return to + " (cannot stat the target; not followed)";
    case LinkVerdict::kDirectory:
      return to + ", a directory (not followed)";
    case LinkVerdict::kSpecial:
      return to + ", a " + std::string(t.special_kind) + " (never opened)";
    case LinkVerdict::kOutside:
      return to + ", outside the directory (not followed; --follow-symlinks records it)";
  }
  return to + " (not followed)";
}

// Lists `root` and every real subdirectory below it (walk_tree: nothing is opened here).
Walk walk(const fs::path& root, const std::vector<FileId>& exclude, bool follow,
          const std::vector<fs::path>& store_roots) {
  Walk w;
  const WalkResult r = walk_tree(
      root, kMaxEntries,
      [&](const WalkEntry& e) {
        if (!valid_utf8(e.name)) {
          w.skipped.push_back({e.rel, "name is not valid UTF-8 (not recorded)"});
          return false;
        }
        if (!e.stat_error.empty()) {
          w.errors.push_back({e.rel, e.stat_error});
          return false;
        }
        uint64_t size = e.size;
        FileId id = e.id;
        switch (e.type) {
          case NodeType::kDirectory:
            return true;
          case NodeType::kSpecial:
            w.skipped.push_back({e.rel, std::string(e.special_kind) + " (never opened)"});
            return false;
          case NodeType::kSymlink: {
            LinkFacts t = follow_link(*e.root_canonical, e.path, follow, store_roots);
            if (std::string why = link_skip_reason(t); !why.empty()) {
              w.skipped.push_back({e.rel, std::move(why)});
              return false;
            }
            size = t.size;
            id = t.id;
            break;
          }
          case NodeType::kFile:
            break;
        }
        if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) {
          w.skipped.push_back({e.rel, "the manifest itself (not recorded)"});
        } else if (ends_with(e.name, kManifestSuffix)) {
          w.skipped.push_back({e.rel, "a manifest (*.manifest.json, not recorded)"});
        } else {
          w.files.push_back({e.rel, size, id});
        }
        return false;
      },
      [&](const std::string& rel, bool /*opening*/, const std::string& msg) {
        w.errors.push_back({rel, "cannot list the directory: " + msg});
      });
  if (r.truncated) {
    w.errors.push_back({"", "more than " + group_digits(kMaxEntries) +
                                " entries below the directory; stopped listing"});
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
  // A Hugging Face cache snapshot's links into its blobs are its own files.
  const std::optional<HfSnapshot> snapshot = find_hf_snapshot(dir);
  Walk w = walk(dir, opts.exclude, opts.follow_symlinks,
                snapshot ? snapshot->store_roots : std::vector<fs::path>{});
  const LocalStorage storage(dir);
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
        ok[i] =
            integrity::digest_file(storage, f.rel, f.id, f.rel, ends_with(f.rel, ".safetensors"),
                                   buf, &results[i], &errors[i]);
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
