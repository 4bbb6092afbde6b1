#include "fp_quant.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "affine.hpp"

namespace medq::synth {

unsigned fp_group_size(FpMode m) { return m == FpMode::Nvfp4 ? 16 : 32; }
unsigned fp_bits(FpMode m) { return m == FpMode::Mxfp8 ? 8 : 4; }
std::string_view fp_mode_name(FpMode m) {
  switch (m) {
    case FpMode::Mxfp4:
      return "mxfp4";
    case FpMode::Mxfp8:
      return "mxfp8";
    case FpMode::Nvfp4:
      return "nvfp4";
  }
  return "?";
}

namespace {

// E2M1 magnitudes by code 0..7 (docs/formats.md §B.4, FP4_LUT).
constexpr float kE2m1[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

// Nearest of an ascending table of non-negative magnitudes, ties to the even index.
uint8_t nearest_index(const float* table, int n, float a) {
  int best = 0;
  for (int i = 1; i < n; ++i) {
    const float d_best = std::fabs(a - table[best]);
    const float d = std::fabs(a - table[i]);
    if (d < d_best || (d == d_best && i % 2 == 0)) best = i;
  }
  return static_cast<uint8_t>(best);
}

// All 127 non-negative finite E4M3 magnitudes, code order (0x00..0x7e).
struct E4m3Table {
  float v[127];
  E4m3Table() {
    for (int c = 0; c < 127; ++c) v[c] = decode_e4m3(static_cast<uint8_t>(c));
  }
};

}  // namespace

uint8_t encode_e2m1(float x) {
  const uint8_t sign = std::signbit(x) ? 8 : 0;
  const float a = std::fabs(x);
  if (a >= 6.0f) return static_cast<uint8_t>(sign | 7);
  return static_cast<uint8_t>(sign | nearest_index(kE2m1, 8, a));
}

float decode_e2m1(uint8_t code) {
  const float m = kE2m1[code & 7];
  return (code & 8) ? -m : m;
}

float decode_e4m3(uint8_t b) {
  const int e = (b >> 3) & 0xf;
  const int m = b & 7;
  float v;
  if ((b & 0x7f) == 0x7f) return NAN;
  if (e == 0)
    v = std::ldexp(static_cast<float>(m) / 8.0f, -6);
  else
    v = std::ldexp(1.0f + static_cast<float>(m) / 8.0f, e - 7);
  return (b & 0x80) ? -v : v;
}

uint8_t encode_e4m3(float x) {
  static const E4m3Table table;
  const uint8_t sign = std::signbit(x) ? 0x80 : 0;
  const float a = std::fabs(x);
  if (std::isnan(x)) return 0x7f;
  if (a >= 448.0f) return static_cast<uint8_t>(sign | 0x7e);
  return static_cast<uint8_t>(sign | nearest_index(table.v, 127, a));
}

uint8_t encode_e8m0(float x) {
  if (!std::isfinite(x)) return 0xff;
  if (!(x > 0.0f)) return 0;  // zero or negative: the smallest scale, as MLX's clamp gives
  // round(log2(x)) without libm: x = m * 2^e with m in [1, 2); round up when m >= sqrt(2),
  // i.e. m*m >= 2, which is exact in double for a float m.
  int fe = 0;
  const double m = 2.0 * std::frexp(static_cast<double>(x), &fe);
  int n = (fe - 1) + (m * m >= 2.0 ? 1 : 0);
  n = std::clamp(n, -127, 127);
  return static_cast<uint8_t>(n + 127);
}

float decode_e8m0(uint8_t s) { return std::ldexp(1.0f, static_cast<int>(s) - 127); }

FpQuantized quantize_fp(std::span<const float> w, uint64_t rows, uint64_t cols, FpMode mode) {
  const unsigned group = fp_group_size(mode);
  const unsigned bits = fp_bits(mode);
  if (cols % group != 0 || w.size() != rows * cols)
    throw std::invalid_argument("fp quantize: columns not a multiple of the group size");
  const uint64_t groups = rows * cols / group;
  FpQuantized out;
  out.scales.resize(groups);
  std::vector<uint8_t> codes(rows * cols);
  for (uint64_t g = 0; g < groups; ++g) {
    const float* x = w.data() + g * group;
    float amax = 0;
    for (unsigned i = 0; i < group; ++i) amax = std::max(amax, std::fabs(x[i]));
    float scale;
    if (mode == FpMode::Nvfp4) {
      out.scales[g] = encode_e4m3(amax / 6.0f);
      scale = decode_e4m3(out.scales[g]);
    } else {
      out.scales[g] = encode_e8m0(amax / (mode == FpMode::Mxfp4 ? 6.0f : 448.0f));
      scale = decode_e8m0(out.scales[g]);
    }
    for (unsigned i = 0; i < group; ++i) {
      const float v = scale > 0 ? x[i] / scale : 0.0f;
      codes[g * group + i] = bits == 4 ? encode_e2m1(v) : encode_e4m3(v);
    }
  }
  out.packed = pack_bits(codes, bits);
  return out;
}

float dequantize_fp(const FpQuantized& q, uint64_t cols, FpMode mode, uint64_t row, uint64_t col) {
  const unsigned bits = fp_bits(mode);
  const uint64_t j = row * cols + col;
  const uint8_t code = unpack_value(q.packed, bits, j);
  const uint8_t s = q.scales[j / fp_group_size(mode)];
  const float scale = mode == FpMode::Nvfp4 ? decode_e4m3(s) : decode_e8m0(s);
  return (bits == 4 ? decode_e2m1(code) : decode_e4m3(code)) * scale;
}

}  // namespace medq::synth
