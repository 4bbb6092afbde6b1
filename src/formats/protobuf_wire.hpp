// Bounds-checked protobuf wire-format decoding (private to medq_core): varints, fixed 32/64-bit
// values, length-delimited fields and skipping of unknown fields of every wire type, including
// the deprecated groups. Every failure carries the absolute byte offset where it happened.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace medq::detail {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

/// protobuf's default recursion limit, applied to nested groups.
inline constexpr size_t kMaxGroupDepth = 100;

class WireReader {
 public:
  /// `data` is the message body; `base` is its absolute offset in the file.
  WireReader(std::span<const uint8_t> data, uint64_t base) : data_(data), base_(base) {}

  bool at_end() const { return pos_ >= data_.size(); }
  /// Absolute file offset of the next byte.
  uint64_t offset() const { return base_ + pos_; }

  /// Reads a field key. Field 0 and wire types 6 and 7 are malformed.
  bool tag(uint32_t* field, WireType* type);
  bool varint(uint64_t* v);
  bool fixed32(uint32_t* v);
  bool fixed64(uint64_t* v);
  /// A length-delimited payload; `*abs_offset` is where its bytes start in the file.
  bool bytes(std::span<const uint8_t>* out, uint64_t* abs_offset);
  /// Skips the value of a field whose key was just read.
  bool skip(uint32_t field, WireType type);

  /// What went wrong and where (valid after a false return).
  const std::string& error() const { return error_; }
  uint64_t error_offset() const { return error_offset_; }

 private:
  bool fail(uint64_t at, std::string message);
  std::span<const uint8_t> data_;
  uint64_t base_;
  size_t pos_ = 0;
  std::string error_;
  uint64_t error_offset_ = 0;
};

}  // namespace medq::detail
