#include "medq/data/decode.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace medq {

float bf16_to_float(uint16_t bits) {
  uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float f16_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);  // subnormal (or zero)
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

float e2m1_to_float(uint8_t code) {
  static constexpr float kLut[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  const float v = kLut[code & 7];
  return (code & 8) ? -v : v;
}

float e4m3_to_float(uint8_t b) {
  const uint32_t sign = b >> 7;
  const uint32_t exp = (b >> 3) & 0xF;
  const uint32_t mant = b & 7;
  float v;
  if (exp == 0xF && mant == 7) {
    v = std::numeric_limits<float>::quiet_NaN();
  } else if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -9);  // 2^-6 * mant/8
  } else {
    v = std::ldexp(static_cast<float>(mant | 8), static_cast<int>(exp) - 10);
  }
  return sign ? -v : v;
}

float e8m0_to_float(uint8_t s) {
  if (s == 0xFF) return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.0f, static_cast<int>(s) - 127);
}

bool decodable_float(Dtype d) {
  return d == Dtype::BF16 || d == Dtype::F16 || d == Dtype::F32 || d == Dtype::F64;
}

void decode_floats(Dtype d, const uint8_t* p, size_t n, float* out) {
  switch (d) {
    case Dtype::BF16:
      for (size_t i = 0; i < n; ++i) {
        out[i] = bf16_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      }
      return;
    case Dtype::F16:
      for (size_t i = 0; i < n; ++i) {
        out[i] = f16_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      }
      return;
    case Dtype::F32:
      std::memcpy(out, p, n * 4);  // little-endian host
      return;
    case Dtype::F64:
      for (size_t i = 0; i < n; ++i) {
        double x;
        std::memcpy(&x, p + 8 * i, 8);
        out[i] = static_cast<float>(x);
      }
      return;
    default:
      for (size_t i = 0; i < n; ++i) out[i] = 0.0f;
  }
}

uint32_t packed_code(const uint8_t* row, size_t row_bytes, unsigned bits, uint64_t j) {
  const uint64_t bit = j * bits;
  const size_t byte = static_cast<size_t>(bit / 8);
  const unsigned shift = static_cast<unsigned>(bit % 8);
  // A 64-bit little-endian window from `byte`, clipped at the end of the row.
  uint64_t window = 0;
  const size_t take = row_bytes - byte < 8 ? row_bytes - byte : 8;
  for (size_t k = 0; k < take; ++k) window |= static_cast<uint64_t>(row[byte + k]) << (8 * k);
  return static_cast<uint32_t>((window >> shift) & ((uint64_t{1} << bits) - 1));
}

}  // namespace medq
