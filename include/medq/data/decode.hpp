// Element decoding for tensor data: the float dtypes, MLX's packed integer codes (LSB-first bit
// stream, docs/formats.md §B.4) and the fp-mode element and scale formats (E2M1, E4M3, E8M0).
#pragma once

#include <cstddef>
#include <cstdint>

#include "medq/formats/dtype.hpp"

namespace medq {

float bf16_to_float(uint16_t bits);
float f16_to_float(uint16_t bits);
/// FP4 E2M1 code (low 4 bits): 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives.
float e2m1_to_float(uint8_t code);
/// FP8 E4M3 (bias 7, no infinities; 0x7F/0xFF are NaN).
float e4m3_to_float(uint8_t b);
/// E8M0 scale byte: 2^(s-127); 0xFF is NaN.
float e8m0_to_float(uint8_t s);

/// True for the dtypes decode_floats handles: BF16, F16, F32, F64.
bool decodable_float(Dtype d);
/// Decodes `n` little-endian elements of `d` (decodable_float) from `bytes` into `out`.
void decode_floats(Dtype d, const uint8_t* bytes, size_t n, float* out);

/// Code j (0-based) of a packed row stored as `row_bytes` bytes, `bits` wide, LSB-first.
/// The caller guarantees (j + 1) * bits <= row_bytes * 8.
uint32_t packed_code(const uint8_t* row, size_t row_bytes, unsigned bits, uint64_t j);

}  // namespace medq
