// Read-only access to one regular file by positioned reads. medq never writes into a model
// directory, never opens FIFOs or devices for reading (they could block or never end), and reads
// only the byte ranges it asks for, so header work never touches weight data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace medq {

class File {
 public:
  /// Opens `path` read-only. Fails, with a message in `*err`, when the path cannot be opened or
  /// is not a regular file (directories, FIFOs, sockets and devices are refused).
  static std::optional<File> open(const std::filesystem::path& path, std::string* err);

  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  /// Size in bytes as reported by fstat when the file was opened.
  uint64_t size() const { return size_; }

  /// Reads up to `n` bytes at `offset`; returns how many were read (fewer only at end of file),
  /// or nullopt on an I/O error.
  std::optional<size_t> read_some_at(uint64_t offset, void* buf, size_t n, std::string* err) const;

  /// The size fstat reports now (a file can grow or shrink while it is read), or nullopt with
  /// a message in `*err`.
  std::optional<uint64_t> current_size(std::string* err) const;

  int fd() const { return fd_; }

 private:
  File(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace medq
