#include "affine.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bf16.hpp"

namespace medq::synth {

std::vector<uint32_t> pack_bits(std::span<const uint8_t> q, unsigned bits) {
  if (bits == 0 || bits > 8) throw std::invalid_argument("pack_bits: bits must be 1..8");
  const uint64_t total_bits = static_cast<uint64_t>(q.size()) * bits;
  if (total_bits % 32 != 0) throw std::invalid_argument("pack_bits: stream is not whole words");
  std::vector<uint32_t> words(total_bits / 32, 0);
  uint64_t k = 0;  // stream bit position of the current value
  for (uint8_t v : q) {
    const uint32_t val = v;
    const uint64_t w = k / 32;
    const unsigned s = static_cast<unsigned>(k % 32);
    words[w] |= val << s;
    // The part that did not fit in word w continues at bit 0 of word w+1.
    if (s + bits > 32) words[w + 1] |= val >> (32 - s);
    k += bits;
  }
  return words;
}

uint8_t unpack_value(std::span<const uint32_t> words, unsigned bits, uint64_t j) {
  const uint64_t k = j * bits;
  const uint64_t w = k / 32;
  const unsigned s = static_cast<unsigned>(k % 32);
  uint64_t window = words[w];
  if (w + 1 < words.size()) window |= static_cast<uint64_t>(words[w + 1]) << 32;
  return static_cast<uint8_t>((window >> s) & ((1u << bits) - 1u));
}

AffineQuantized quantize_affine(std::span<const float> w, uint64_t rows, uint64_t cols,
                                unsigned bits, unsigned group_size) {
  if (bits != 2 && bits != 3 && bits != 4 && bits != 5 && bits != 6 && bits != 8)
    throw std::invalid_argument("affine: bits must be 2, 3, 4, 5, 6 or 8");
  if (group_size != 32 && group_size != 64 && group_size != 128)
    throw std::invalid_argument("affine: group size must be 32, 64 or 128");
  if (cols % group_size != 0 || w.size() != rows * cols)
    throw std::invalid_argument("affine: columns not a multiple of the group size");
  const float n_bins = static_cast<float>((1u << bits) - 1u);
  const float eps = 1e-7f;  // MLX's floor on the scale, for constant groups
  const uint64_t groups = rows * cols / group_size;
  AffineQuantized out;
  out.scales.resize(groups);
  out.biases.resize(groups);
  out.q.resize(rows * cols);
  for (uint64_t g = 0; g < groups; ++g) {
    const float* x = w.data() + g * group_size;
    float lo = x[0], hi = x[0];
    for (unsigned i = 1; i < group_size; ++i) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    const bool min_is_edge = std::fabs(lo) > std::fabs(hi);
    float scale = std::max((hi - lo) / n_bins, eps);
    scale = min_is_edge ? scale : -scale;
    const float edge = min_is_edge ? lo : hi;
    const float q0 = std::nearbyint(edge / scale);
    const bool at_zero = q0 == 0.0f;
    if (!at_zero) scale = edge / q0;
    const float bias = at_zero ? 0.0f : edge;
    // As MLX's CPU quantizer: codes come from the float scale and bias; only the stored copies
    // are rounded to bf16.
    for (unsigned i = 0; i < group_size; ++i) {
      float v = std::nearbyint((x[i] - bias) / scale);
      v = std::clamp(v, 0.0f, n_bins);
      out.q[g * group_size + i] = static_cast<uint8_t>(v);
    }
    out.scales[g] = float_to_bf16(scale);
    out.biases[g] = float_to_bf16(bias);
  }
  out.packed = pack_bits(out.q, bits);
  return out;
}

}  // namespace medq::synth
