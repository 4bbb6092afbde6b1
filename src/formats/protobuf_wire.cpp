#include "protobuf_wire.hpp"

#include <utility>
#include <vector>

namespace medq::detail {

bool WireReader::fail(uint64_t at, std::string message) {
  error_ = std::move(message);
  error_offset_ = at;
  return false;
}

bool WireReader::varint(uint64_t* v) {
  uint64_t start = offset();
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) return fail(start, "varint runs past the end of its message");
    uint8_t b = data_[pos_++];
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == 9 && b > 1) return fail(start, "varint longer than 64 bits");
    result |= uint64_t{b & 0x7Fu} << (7 * i);
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return fail(start, "varint longer than 10 bytes");
}

bool WireReader::tag(uint32_t* field, WireType* type) {
  uint64_t start = offset();
  uint64_t key = 0;
  if (!varint(&key)) return false;
  uint64_t f = key >> 3;
  auto wt = static_cast<uint8_t>(key & 7);
  if (f == 0 || f > 0x1FFFFFFF)
    return fail(start, "field number " + std::to_string(f) + " is outside 1..536870911");
  if (wt > 5) return fail(start, "invalid wire type " + std::to_string(wt));
  *field = static_cast<uint32_t>(f);
  *type = static_cast<WireType>(wt);
  return true;
}

bool WireReader::fixed32(uint32_t* v) {
  if (data_.size() - pos_ < 4) return fail(offset(), "fixed32 value runs past the end");
  *v = 0;
  for (int i = 0; i < 4; ++i) *v |= uint32_t{data_[pos_ + i]} << (8 * i);
  pos_ += 4;
  return true;
}

bool WireReader::fixed64(uint64_t* v) {
  if (data_.size() - pos_ < 8) return fail(offset(), "fixed64 value runs past the end");
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += 8;
  return true;
}

bool WireReader::bytes(std::span<const uint8_t>* out, uint64_t* abs_offset) {
  uint64_t start = offset();
  uint64_t len = 0;
  if (!varint(&len)) return false;
  if (len > data_.size() - pos_) {
    return fail(start, "length " + std::to_string(len) + " runs past the end of its message (" +
                           std::to_string(data_.size() - pos_) + " bytes left)");
  }
  *abs_offset = offset();
  *out = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return true;
}

bool WireReader::skip(uint32_t field, WireType type) {
  uint64_t u64 = 0;
  uint32_t u32 = 0;
  std::span<const uint8_t> ignored;
  uint64_t at = 0;
  switch (type) {
    case WireType::kVarint:
      return varint(&u64);
    case WireType::kFixed64:
      return fixed64(&u64);
    case WireType::kFixed32:
      return fixed32(&u32);
    case WireType::kLen:
      return bytes(&ignored, &at);
    case WireType::kEndGroup:
      return fail(offset(), "end-group marker for field " + std::to_string(field) +
                                " without a matching start");
    case WireType::kStartGroup:
      break;
  }
  // A group: skip fields until the end marker of the same field number. Nested groups are
  // tracked on an explicit stack so that hostile nesting cannot overflow the call stack.
  uint64_t start = offset();
  std::vector<uint32_t> open{field};
  while (!open.empty()) {
    if (at_end())
      return fail(start, "group for field " + std::to_string(open.back()) + " is not closed");
    uint32_t f = 0;
    WireType t{};
    if (!tag(&f, &t)) return false;
    if (t == WireType::kEndGroup) {
      if (f != open.back()) {
        return fail(offset(), "end-group marker for field " + std::to_string(f) +
                                  " closes a group of field " + std::to_string(open.back()));
      }
      open.pop_back();
    } else if (t == WireType::kStartGroup) {
      if (open.size() >= kMaxGroupDepth) return fail(offset(), "groups nested too deeply");
      open.push_back(f);
    } else if (!skip(f, t)) {
      return false;
    }
  }
  return true;
}

}  // namespace medq::detail
