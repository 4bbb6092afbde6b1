// MLX's affine quantization (docs/formats.md §B.2-B.4): per group of `group_size` consecutive
// values along a row, w ~ scale * q + bias with q in [0, 2^bits - 1]; scale and bias stored as
// bf16; q values packed into uint32 words as one LSB-first bit stream per row.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace medq::synth {

/// Packs `q` (each < 2^bits) as an LSB-first bit stream: value j occupies stream bits
/// [j*bits, (j+1)*bits), stream bit k is bit k%32 of word k/32. `q.size() * bits` must be a
/// multiple of 32. Supports any bits in 1..8.
std::vector<uint32_t> pack_bits(std::span<const uint8_t> q, unsigned bits);

/// Reads value j back from a packed stream (a reference decoder for tests and defects).
uint8_t unpack_value(std::span<const uint32_t> words, unsigned bits, uint64_t j);

struct AffineQuantized {
  std::vector<uint32_t> packed;  ///< [rows, cols*bits/32]
  std::vector<uint16_t> scales;  ///< bf16 bits, [rows, cols/group_size]
  std::vector<uint16_t> biases;  ///< bf16 bits, [rows, cols/group_size]
  std::vector<uint8_t> q;        ///< the unpacked codes, [rows, cols] (kept for tests)
};

/// Quantizes a row-major [rows, cols] matrix. bits in {2,3,4,5,6,8}, group_size in {32,64,128},
/// cols a multiple of group_size; throws std::invalid_argument otherwise.
///
/// The scale and bias follow MLX's edge rule: the end of the group range with the larger
/// magnitude (the "edge") is made exactly representable; the scale is negative when the maximum
/// is the edge, and the bias is the edge (or 0 when the edge rounds to code 0). As in MLX's CPU
/// `quantize`, codes are computed (round half to even, clamped) from the float scale and bias;
/// the stored scale and bias are those values rounded to bf16.
AffineQuantized quantize_affine(std::span<const float> w, uint64_t rows, uint64_t cols,
                                unsigned bits, unsigned group_size);

}  // namespace medq::synth
