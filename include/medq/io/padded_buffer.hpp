// A byte buffer for a whole file's contents with readable, zeroed spare bytes past the end (the
// SIMD JSON parser reads up to 64 bytes beyond the text). Large buffers come straight from the
// kernel, uninitialised by medq and with huge pages requested, so loading a 33 MB tokenizer.json
// costs one copy and a few dozen page faults instead of a memset, a copy and ~8,000 faults
// (docs/benchmarks.md).
#pragma once

#include <cstddef>

namespace medq {

class PaddedBuffer {
 public:
  /// Spare zero bytes after `size()`; at least simdjson's SIMDJSON_PADDING.
  static constexpr size_t kPadding = 64;

  PaddedBuffer() = default;
  /// `size` bytes (contents unspecified until written) plus kPadding zero bytes. Throws
  /// std::bad_alloc when the memory cannot be had.
  explicit PaddedBuffer(size_t size);
  PaddedBuffer(PaddedBuffer&& other) noexcept;
  PaddedBuffer& operator=(PaddedBuffer&& other) noexcept;
  PaddedBuffer(const PaddedBuffer&) = delete;
  PaddedBuffer& operator=(const PaddedBuffer&) = delete;
  ~PaddedBuffer();

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void release() noexcept;
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  ///< bytes mapped with mmap (0: allocated with new[])
};

}  // namespace medq
