// MLX's floating-point quantization modes (docs/formats.md §B.1, B.4): mxfp4 (E2M1 codes, E8M0
// scale per 32), mxfp8 (E4M3 codes, E8M0 scale per 32) and nvfp4 (E2M1 codes, E4M3 scale per 16).
// Codes are packed into uint32 words low bits first; scales are one byte each; no biases.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace medq::synth {

enum class FpMode { Mxfp4, Mxfp8, Nvfp4 };

/// Group size and element bits MLX fixes for each mode: (32,4), (32,8), (16,4).
unsigned fp_group_size(FpMode m);
unsigned fp_bits(FpMode m);
std::string_view fp_mode_name(FpMode m);

/// E2M1 (FP4): nearest code, ties to the even code, saturating at +-6. Sign in bit 3.
uint8_t encode_e2m1(float x);
float decode_e2m1(uint8_t code);
/// E4M3 "fn" (FP8, max 448, no infinities): nearest, ties to even, saturating. 0x7f is NaN.
uint8_t encode_e4m3(float x);
float decode_e4m3(uint8_t b);
/// E8M0: the byte s stands for 2^(s-127). Encoding rounds log2(x) to the nearest integer and
/// clamps it to [-127, 127] (MLX's to_fp8_e8m0); non-finite -> 0xff; x <= 0 -> 0.
uint8_t encode_e8m0(float x);
float decode_e8m0(uint8_t s);

struct FpQuantized {
  std::vector<uint32_t> packed;  ///< [rows, cols*bits/32]
  std::vector<uint8_t> scales;   ///< [rows, cols/group]
};

/// Quantizes a row-major [rows, cols] matrix as MLX does (cpu/quantized.cpp): the group scale is
/// amax / 6 (FP4) or amax / 448 (FP8), stored as E8M0 (mx modes, log2 rounded to nearest) or
/// E4M3 (nvfp4, no global scale); elements are w / scale rounded to nearest-even and saturated.
FpQuantized quantize_fp(std::span<const float> w, uint64_t rows, uint64_t cols, FpMode mode);

/// The value element `i` of a quantized matrix stands for (a reference decoder for tests).
float dequantize_fp(const FpQuantized& q, uint64_t cols, FpMode mode, uint64_t row, uint64_t col);

}  // namespace medq::synth
