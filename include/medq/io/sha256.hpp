// SHA-256 of a file's content, streamed in fixed-size chunks (bounded memory at any file size).
// The digest the Hugging Face Hub and Git LFS use to identify files.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "medq/io/byte_source.hpp"

namespace medq {

/// An incremental SHA-256: feed bytes in any number of pieces, then take the digest. Lets one
/// read pass over a file feed several hashers (the manifest hashes a weight file and each of its
/// tensors from the same buffer).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Adds `n` bytes.
  void update(const void* data, size_t n);
  /// Lower-case hex digest of everything added since construction or the last finish(); the
  /// hasher starts over afterwards.
  std::string finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

/// Lower-case hex SHA-256 of the regular file at `path`, or nullopt with a message in `*err`.
std::optional<std::string> sha256_file(const std::filesystem::path& path, std::string* err);

/// The same for an entry already opened, read to its end.
std::optional<std::string> sha256_source(const ByteSource& src, std::string* err);

/// Lower-case hex SHA-256 of `bytes` (for tests and small buffers).
std::string sha256_bytes(std::string_view bytes);

}  // namespace medq
