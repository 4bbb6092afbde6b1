// XXH3-128 (xxHash 0.8), incremental: the per-tensor digest of a manifest. Not a cryptographic
// hash: the file's SHA-256 guards against tampering, XXH3-128 names each tensor's bytes cheaply
// (it runs at memory speed, so digesting every tensor costs little on top of the SHA-256 pass).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace medq {

class Xxh3_128 {
 public:
  Xxh3_128();
  ~Xxh3_128();
  Xxh3_128(Xxh3_128&&) noexcept;
  Xxh3_128& operator=(Xxh3_128&&) noexcept;
  Xxh3_128(const Xxh3_128&) = delete;
  Xxh3_128& operator=(const Xxh3_128&) = delete;

  /// Adds `n` bytes.
  void update(const void* data, size_t n);
  /// The digest as 32 lower-case hex digits in xxHash's canonical (big-endian) form, as
  /// `xxhsum -H2` prints it; the hasher starts over afterwards.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// XXH3-128 of `bytes` in one call, as hex (for tests and small buffers).
std::string xxh3_128_bytes(std::string_view bytes);

}  // namespace medq
