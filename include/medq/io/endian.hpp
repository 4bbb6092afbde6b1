// Fixed-width integers stored little-endian in a file (the safetensors length prefix), read
// byte by byte so that the host's byte order and the buffer's alignment do not matter.
#pragma once

#include <cstdint>

namespace medq {

/// The unsigned 64-bit little-endian number in the 8 bytes at `p`.
inline uint64_t load_le64(const uint8_t* p) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | p[i];
  return n;
}

}  // namespace medq
