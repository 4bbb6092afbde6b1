// Element decoding of tensor data, value by value, against the formats' definitions
// (docs/formats.md): bf16 and f16 bit patterns, the fp4/fp8 element codes and E8M0 scales of
// the MLX fp modes, and MLX's LSB-first packing of integer codes.
#include "medq/data/decode.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace medq {
namespace {

TEST(Decode, Bf16IsTheTopHalfOfAFloat32) {
  EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
  EXPECT_EQ(bf16_to_float(0xC000), -2.0f);
  EXPECT_EQ(bf16_to_float(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(bf16_to_float(0x8000)));
  EXPECT_TRUE(std::isinf(bf16_to_float(0x7F80)));
  EXPECT_TRUE(std::isnan(bf16_to_float(0x7FC0)));
  EXPECT_EQ(bf16_to_float(0x3E20), 0.15625f);
}

TEST(Decode, F16NormalsSubnormalsAndSpecials) {
  EXPECT_EQ(f16_to_float(0x3C00), 1.0f);
  EXPECT_EQ(f16_to_float(0xC400), -4.0f);
  EXPECT_EQ(f16_to_float(0x7BFF), 65504.0f);               // largest normal
  EXPECT_EQ(f16_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f16_to_float(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_TRUE(std::isinf(f16_to_float(0xFC00)) && f16_to_float(0xFC00) < 0);
  EXPECT_TRUE(std::isnan(f16_to_float(0x7E00)));
}

TEST(Decode, E2M1HasItsEightMagnitudes) {
  const float want[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  for (uint8_t c = 0; c < 8; ++c) {
    EXPECT_EQ(e2m1_to_float(c), want[c]) << int(c);
    EXPECT_EQ(e2m1_to_float(static_cast<uint8_t>(c | 8)), -want[c]) << int(c);
  }
  EXPECT_EQ(e2m1_to_float(0xF3), 1.5f);  // only the low four bits count
}

TEST(Decode, E4M3HasNoInfinityAndOneNaN) {
  EXPECT_EQ(e4m3_to_float(0x38), 1.0f);                  // exponent 7 = bias
  EXPECT_EQ(e4m3_to_float(0x7E), 448.0f);                // the largest finite value
  EXPECT_EQ(e4m3_to_float(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  EXPECT_EQ(e4m3_to_float(0xB8), -1.0f);
  EXPECT_TRUE(std::isnan(e4m3_to_float(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3_to_float(0xFF)));
}

TEST(Decode, E8M0IsAPowerOfTwo) {
  EXPECT_EQ(e8m0_to_float(127), 1.0f);
  EXPECT_EQ(e8m0_to_float(130), 8.0f);
  EXPECT_EQ(e8m0_to_float(0), std::ldexp(1.0f, -127));
  EXPECT_TRUE(std::isnan(e8m0_to_float(0xFF)));
}

TEST(Decode, FloatsLittleEndianForEveryDecodableDtype) {
  const uint8_t bf16[] = {0x80, 0x3F, 0x00, 0xC0};  // 1, -2
  const uint8_t f16[] = {0x00, 0x3C, 0x00, 0xC4};   // 1, -4
  float f32v[2] = {0.25f, -8.0f};
  double f64v[2] = {3.5, -0.125};
  uint8_t f32[8], f64[16];
  std::memcpy(f32, f32v, sizeof f32);
  std::memcpy(f64, f64v, sizeof f64);
  float out[2];
  decode_floats(Dtype::BF16, bf16, 2, out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  decode_floats(Dtype::F16, f16, 2, out);
  EXPECT_EQ(out[1], -4.0f);
  decode_floats(Dtype::F32, f32, 2, out);
  EXPECT_EQ(out[0], 0.25f);
  decode_floats(Dtype::F64, f64, 2, out);
  EXPECT_EQ(out[0], 3.5f);
  EXPECT_EQ(out[1], -0.125f);
  EXPECT_TRUE(decodable_float(Dtype::BF16));
  EXPECT_FALSE(decodable_float(Dtype::U32));
  EXPECT_FALSE(decodable_float(Dtype::I8));
}

// MLX packs codes LSB first into a little-endian bit stream; 3- and 6-bit codes cross byte and
// word boundaries.
TEST(Decode, PackedCodesAreReadLsbFirstAcrossBoundaries) {
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    const size_t n = 64;
    std::vector<uint8_t> row((n * bits + 7) / 8, 0);
    std::vector<uint32_t> codes(n);
    for (size_t j = 0; j < n; ++j) {
      codes[j] = static_cast<uint32_t>((j * 7 + 3) % (1u << bits));
      for (unsigned b = 0; b < bits; ++b) {
        const size_t bit = j * bits + b;
        if ((codes[j] >> b) & 1u)
          row[bit / 8] = static_cast<uint8_t>(row[bit / 8] | (1u << (bit % 8)));
      }
    }
    for (size_t j = 0; j < n; ++j) {
      EXPECT_EQ(packed_code(row.data(), row.size(), bits, j), codes[j]) << bits << " bits, " << j;
    }
  }
}

}  // namespace
}  // namespace medq
