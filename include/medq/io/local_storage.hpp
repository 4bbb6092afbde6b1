// The local file system behind the storage seam: a folder whose entries are files opened
// read-only (regular files only; FIFOs and devices are never opened), listed with the symlink
// policy of walk_tree, and read by positioned reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medq/io/byte_source.hpp"
#include "medq/io/storage.hpp"

namespace medq {

class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(std::filesystem::path root) : root_(std::move(root)) {}
  /// A folder whose links into `store_roots` (canonical folders: a Hugging Face cache
  /// snapshot's blobs, HfSnapshotStorage) are followed like links inside it.
  LocalStorage(std::filesystem::path root, std::vector<std::filesystem::path> store_roots)
      : root_(std::move(root)), store_roots_(std::move(store_roots)) {}

  StorageListing list(const ListOptions& opts) const override;
  std::unique_ptr<ByteSource> open(std::string_view name, std::string* err) const override;
  std::string locate(std::string_view name) const override;

  const std::filesystem::path& root() const { return root_; }
  const std::vector<std::filesystem::path>& store_roots() const { return store_roots_; }

 private:
  std::filesystem::path root_;
  std::vector<std::filesystem::path> store_roots_;
};

/// Opens the regular file at `path` read-only as a byte source (File::open's checks), or null
/// with a message in `*err`.
std::unique_ptr<ByteSource> open_local_file(const std::filesystem::path& path, std::string* err);

/// open_local_file as an Opened, for the readers that take one.
Opened open_local(const std::filesystem::path& path);

/// The outcome of read_small_file.
struct SmallFile {
  std::optional<std::string> text;    ///< the whole file, when it was read
  std::string error;                  ///< why it could not be opened or read
  std::optional<uint64_t> too_large;  ///< its size, when over the cap (nothing was read)
};

/// Reads the whole file at `path` (a policy, a report, a manifest the user names) when it is at
/// most `cap` bytes.
SmallFile read_small_file(const std::filesystem::path& path, uint64_t cap);

}  // namespace medq
