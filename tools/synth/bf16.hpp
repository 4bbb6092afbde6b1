// bfloat16 conversion for the generator. Weights are drawn as floats, rounded to bf16 once, and
// every later step (quantization, the written bytes) works from those rounded values, as MLX does
// when it quantizes a bf16 checkpoint.
#pragma once

#include <cstdint>
#include <cstring>

namespace medq::synth {

/// Rounds a float to bf16 bits, round-to-nearest-even; NaN stays a quiet NaN.
inline uint16_t float_to_bf16(float f) {
  uint32_t u = 0;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  const uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb;
  return static_cast<uint16_t>(u >> 16);
}

/// The float a bf16 bit pattern stands for (exact).
inline float bf16_to_float(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f = 0;
  std::memcpy(&f, &u, 4);
  return f;
}

/// `f` rounded to the nearest bf16 value, as a float.
inline float round_bf16(float f) { return bf16_to_float(float_to_bf16(f)); }

}  // namespace medq::synth
