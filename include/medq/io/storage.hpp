// The one seam between a model directory and the bytes behind it. A reader asks the storage for
// "the entry named X" and gets a ByteSource; it never builds a path. Local folders
// (LocalStorage), a Hugging Face cache snapshot (HfSnapshotStorage), bytes held in memory
// (MemoryStorage) and, later, a remote repository read by HTTP range requests are
// implementations: listing gives every entry's name, kind and size up front, and any open or
// read may fail with a message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medq/io/byte_source.hpp"

namespace medq {

/// What a listing made of a symbolic link.
enum class LinkStatus : uint8_t {
  kNone,       ///< not a symlink
  kFollowed,   ///< a regular file inside the folder or its blob store (anywhere, with
               ///< --follow-symlinks)
  kOutside,    ///< leads out of the folder: not followed
  kLoop,       ///< a loop of links: not followed
  kBroken,     ///< leads nowhere
  kDirectory,  ///< leads to a directory: never followed
  kSpecial,    ///< leads to a FIFO, socket or device: never opened
};

/// One top-level entry of a storage.
struct StorageEntry {
  enum class Type : uint8_t {
    kFile,       ///< a file (or a followed link to one): open() gives its bytes
    kDirectory,  ///< a subdirectory; `bytes` is the total of the files below it
    kSpecial,    ///< FIFO, socket, device: never opened
    kSymlink,    ///< a link that is not followed (`link` says why)
  };
  std::string name;  ///< '/'-free, relative to the storage's root
  Type type = Type::kFile;
  uint64_t bytes = 0;  ///< apparent size
  LinkStatus link = LinkStatus::kNone;
  std::string symlink_target;   ///< the link's text, for any symlink (followed or not)
  bool target_outside = false;  ///< a followed link whose target lies outside the folder
  /// A followed link whose target lies in the storage's blob store (a Hugging Face cache
  /// snapshot's ../../blobs/): the folder's own file, followed without --follow-symlinks.
  bool target_in_store = false;
  /// For a directory: its largest regular files (path from the storage's root, '/'-separated;
  /// bytes), largest first (ties by path), at most kLargestFilesKept, and how many it holds.
  std::vector<std::pair<std::string, uint64_t>> largest_files;
  uint64_t file_count = 0;
  static constexpr size_t kLargestFilesKept = 8;
};

/// Adds (path, bytes) to a directory entry's largest_files, keeping the order and the cap.
void note_inner_file(StorageEntry& dir, std::string path, uint64_t bytes);

struct ListOptions {
  /// Also follow links whose target is outside the folder. Links to regular files inside are
  /// always followed; links to directories, loops and special files never are.
  bool follow_symlinks = false;
  /// Entries visited in all, subdirectories included, so a huge directory stays bounded.
  uint64_t max_entries = 200'000;
};

struct StorageListing {
  std::vector<StorageEntry> entries;  ///< in the order they were listed
  /// Entries or the listing itself that could not be read: (name, or "" for the folder itself;
  /// the message), in the order met.
  std::vector<std::pair<std::string, std::string>> problems;
  bool truncated = false;  ///< stopped after ListOptions::max_entries entries
};

class Storage {
 public:
  virtual ~Storage() = default;

  /// The top-level entries and their sizes.
  virtual StorageListing list(const ListOptions& opts) const = 0;

  /// Opens the entry `name` (as listed) for reading, or returns null with a message in `*err`.
  virtual std::unique_ptr<ByteSource> open(std::string_view name, std::string* err) const = 0;

  /// A string naming entry `name` uniquely across storages (a local path, say), for caches
  /// keyed by where bytes came from.
  virtual std::string locate(std::string_view name) const = 0;
};

/// An entry opened for reading, or why it could not be: what the readers of formats/ take, so
/// that one reader serves every storage (and a plain path, through open_local).
struct Opened {
  std::unique_ptr<ByteSource> source;  ///< null when the entry could not be opened
  std::string error;                   ///< why, when `source` is null
};

/// `s.open(name)` as an Opened.
Opened open_entry(const Storage& s, std::string_view name);

/// Reads the whole of `name` into a string when it is at most `cap` bytes. On failure returns
/// nullopt: with a message in `*err`, or with `*err` empty and `*too_large` set to the entry's
/// size when it is over the cap (nothing is read then).
std::optional<std::string> read_entry(const Storage& s, std::string_view name, uint64_t cap,
                                      std::string* err, uint64_t* too_large);

}  // namespace medq
