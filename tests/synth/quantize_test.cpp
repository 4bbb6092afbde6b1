// Affine and fp quantizers: reconstruction error within the bound the scheme implies (checked
// with a test-side dequantizer that reads the packed words directly), MLX's edge rule, and
// exact round trips of values the fp formats can represent.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "affine.hpp"
#include "bf16.hpp"
#include "fp_quant.hpp"
#include "rng.hpp"

namespace medq::synth {
namespace {

// Reads value j of a packed row-major stream without the library's unpacker: byte-wise window.
unsigned test_unpack(const std::vector<uint32_t>& words, unsigned bits, uint64_t j) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(words.data());
  const uint64_t bit = j * bits;
  uint32_t window = 0;
  for (unsigned k = 0; k < 3; ++k) {
    const uint64_t b = bit / 8 + k;
    if (b < words.size() * 4) window |= static_cast<uint32_t>(bytes[b]) << (8 * k);
  }
  return (window >> (bit % 8)) & ((1u << bits) - 1u);
}

std::vector<float> random_bf16(uint64_t n, uint64_t seed, double scale) {
  Rng r(seed);
  std::vector<float> v(n);
  for (float& x : v) x = round_bf16(static_cast<float>(scale * r.normal()));
  return v;
}

TEST(Affine, ErrorWithinHalfStep) {
  const uint64_t rows = 16, cols = 256;
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    for (unsigned g : {32u, 64u, 128u}) {
      SCOPED_TRACE("bits=" + std::to_string(bits) + " group=" + std::to_string(g));
      const std::vector<float> w = random_bf16(rows * cols, bits * 1000 + g, 0.05);
      const AffineQuantized q = quantize_affine(w, rows, cols, bits, g);
      ASSERT_EQ(q.packed.size(), rows * cols * bits / 32);
      ASSERT_EQ(q.scales.size(), rows * cols / g);
      const unsigned top = (1u << bits) - 1u;
      for (uint64_t j = 0; j < rows * cols; ++j) {
        const float s = bf16_to_float(q.scales[j / g]);
        const float b = bf16_to_float(q.biases[j / g]);
        const unsigned code = test_unpack(q.packed, bits, j);
        const float back = s * static_cast<float>(code) + b;
        // Half a step, plus what storing the scale in bf16 adds: the codes were chosen with the
        // float scale, and the stored one differs by at most 2^-9 relative, i.e. at most
        // code * 2^-8 * |stored scale| at the reconstruction. Codes pinned at 0 or 2^bits-1 get
        // one step instead of half: the edge rule (scale = edge / round(edge / scale)) can
        // shrink the scale so the far end of the range lies up to one step beyond the grid.
        const float ideal = (w[j] - b) / s;
        const bool clamped = ideal < -0.5f || ideal > static_cast<float>(top) + 0.5f;
        const float bound = std::fabs(s) *
                                ((clamped ? 1.0f : 0.5f) + static_cast<float>(code) * 0x1.0p-8f) *
                                1.0001f +
                            1e-7f;
        ASSERT_LE(std::fabs(back - w[j]), bound) << "element " << j << " code " << code;
      }
    }
  }
}

TEST(Affine, EdgeRuleMakesTheLargerEndExact) {
  // Max dominates: the scale is negative and the bias is the maximum, reconstructed exactly.
  std::vector<float> w(32, 0.0f);
  for (int i = 0; i < 32; ++i) w[i] = round_bf16(-0.25f + 1.25f * static_cast<float>(i) / 31.0f);
  AffineQuantized q = quantize_affine(w, 1, 32, 4, 32);
  EXPECT_LT(bf16_to_float(q.scales[0]), 0.0f);
  EXPECT_EQ(bf16_to_float(q.biases[0]), w[31]);
  EXPECT_EQ(q.q[31], 0);
  // Min dominates: positive scale, bias = minimum, which quantizes to code 0 exactly.
  for (float& x : w) x = -x;
  q = quantize_affine(w, 1, 32, 4, 32);
  EXPECT_GT(bf16_to_float(q.scales[0]), 0.0f);
  EXPECT_EQ(bf16_to_float(q.biases[0]), w[31]);
  EXPECT_EQ(q.q[31], 0);
}

TEST(Affine, ConstantGroupUsesEpsilonScale) {
  const std::vector<float> w(64, 0.0f);
  const AffineQuantized q = quantize_affine(w, 1, 64, 4, 64);
  EXPECT_EQ(bf16_to_float(q.biases[0]), 0.0f);
  for (uint8_t c : q.q) EXPECT_EQ(c, 0);
}

TEST(Affine, RejectsUnsupportedParameters) {
  const std::vector<float> w(64, 1.0f);
  EXPECT_THROW(quantize_affine(w, 1, 64, 7, 64), std::invalid_argument);
  EXPECT_THROW(quantize_affine(w, 1, 64, 4, 16), std::invalid_argument);
  EXPECT_THROW(quantize_affine(w, 2, 32, 4, 64), std::invalid_argument);
}

TEST(FpFormats, KnownEncodings) {
  EXPECT_EQ(encode_e4m3(1.0f), 0x38);     // exponent 7 (bias 7), mantissa 0
  EXPECT_EQ(encode_e4m3(448.0f), 0x7e);   // the largest finite value
  EXPECT_EQ(encode_e4m3(1000.0f), 0x7e);  // saturates
  EXPECT_EQ(encode_e4m3(-2.0f), 0xc0);
  EXPECT_EQ(encode_e4m3(0x1.0p-9f), 0x01);  // smallest subnormal
  EXPECT_EQ(decode_e4m3(0x01), 0x1.0p-9f);
  EXPECT_EQ(encode_e2m1(1.5f), 3);
  EXPECT_EQ(encode_e2m1(-6.0f), 15);
  EXPECT_EQ(encode_e2m1(2.5f), 4);  // tie between 2 (code 4) and 3 (code 5) -> even code
  EXPECT_EQ(encode_e2m1(100.0f), 7);
  EXPECT_EQ(decode_e8m0(127), 1.0f);
  EXPECT_EQ(encode_e8m0(1.0f), 127);
  EXPECT_EQ(encode_e8m0(1.41f), 127);  // log2 = 0.496 -> 0
  EXPECT_EQ(encode_e8m0(1.42f), 128);  // log2 = 0.506 -> 1
  EXPECT_EQ(encode_e8m0(0.75f), 127);  // log2 = -0.415 -> 0
  EXPECT_EQ(encode_e8m0(0.7f), 126);   // log2 = -0.515 -> -1
  EXPECT_EQ(encode_e8m0(0.0f), 0);
  EXPECT_EQ(encode_e8m0(INFINITY), 0xff);
  EXPECT_EQ(decode_e8m0(130), 8.0f);
}

TEST(FpFormats, EveryCodeRoundTrips) {
  for (unsigned c = 0; c < 16; ++c) {
    EXPECT_EQ(encode_e2m1(decode_e2m1(static_cast<uint8_t>(c))), c);
  }
  for (unsigned c = 0; c < 256; ++c) {
    if ((c & 0x7f) == 0x7f) continue;  // NaN
    EXPECT_EQ(encode_e4m3(decode_e4m3(static_cast<uint8_t>(c))), c) << c;
  }
}

// A group of representable values: element codes times a power-of-two (mx) or E4M3 (nv) scale,
// with the group maximum at the element format's maximum so the encoder picks that scale.
TEST(FpQuantize, RepresentableValuesRoundTripExactly) {
  struct Case {
    FpMode mode;
    float scale;
  };
  for (const Case& c : {Case{FpMode::Mxfp4, 0.25f}, Case{FpMode::Mxfp4, 8.0f},
                        Case{FpMode::Mxfp8, 0x1.0p-10f}, Case{FpMode::Mxfp8, 2.0f},
                        Case{FpMode::Nvfp4, 0.4375f}, Case{FpMode::Nvfp4, 0.013671875f}}) {
    SCOPED_TRACE(std::string(fp_mode_name(c.mode)) + " scale " + std::to_string(c.scale));
    const unsigned g = fp_group_size(c.mode);
    const uint64_t rows = 3, cols = 2 * g;
    std::vector<float> w(rows * cols);
    Rng r(7);
    for (uint64_t i = 0; i < w.size(); ++i) {
      float e;
      if (fp_bits(c.mode) == 4)
        e = decode_e2m1(static_cast<uint8_t>(r.next_u64() % 16));
      else
        e = decode_e4m3(static_cast<uint8_t>(r.next_u64() % 0x7f));  // positive, then sign
      if (fp_bits(c.mode) == 8 && (r.next_u64() & 1)) e = -e;
      w[i] = e * c.scale;
    }
    const float elem_max = fp_bits(c.mode) == 4 ? 6.0f : 448.0f;
    for (uint64_t grp = 0; grp < rows * cols / g; ++grp) w[grp * g] = elem_max * c.scale;
    const FpQuantized q = quantize_fp(w, rows, cols, c.mode);
    ASSERT_EQ(q.packed.size(), rows * cols * fp_bits(c.mode) / 32);
    ASSERT_EQ(q.scales.size(), rows * cols / g);
    for (uint64_t i = 0; i < rows; ++i)
      for (uint64_t j = 0; j < cols; ++j)
        ASSERT_EQ(dequantize_fp(q, cols, c.mode, i, j), w[i * cols + j]) << i << "," << j;
  }
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(1.0f + 0x1.0p-8f), 0x3f80);  // exactly half: ties to even (down)
  EXPECT_EQ(float_to_bf16(1.0f + 0x1.8p-8f), 0x3f81);  // above half: up
  EXPECT_EQ(float_to_bf16(1.0f + 0x1.0p-7f + 0x1.0p-8f), 0x3f82);  // half, odd -> up to even
  EXPECT_EQ(bf16_to_float(0xc000), -2.0f);
}

}  // namespace
}  // namespace medq::synth
