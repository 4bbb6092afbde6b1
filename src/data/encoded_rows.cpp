#include "medq/data/encoded_rows.hpp"

#include <algorithm>

#include "medq/data/decode.hpp"

namespace medq {

void EncodedRows::prepare() {
  std::fill(std::begin(code_value), std::end(code_value), 0.0f);
  if (!scheme) return;
  const uint32_t codes = uint32_t{1} << std::min(scheme->bits, 8u);
  for (uint32_t q = 0; q < codes; ++q) {
    switch (scheme->mode) {
      case QuantMode::kAffine:
        code_value[q] = static_cast<float>(q);
        break;
      case QuantMode::kMxfp8:
        code_value[q] = e4m3_to_float(static_cast<uint8_t>(q));
        break;
      default:
        code_value[q] = e2m1_to_float(static_cast<uint8_t>(q));
        break;
    }
  }
}

void EncodedRows::decode(uint64_t r, uint64_t c0, uint64_t n, float* out) const {
  if (!scheme) {
    const uint64_t element = dtype_bits(dtype) / 8;
    decode_floats(dtype, data.data() + r * row_bytes + c0 * element, static_cast<size_t>(n), out);
    return;
  }
  const QuantScheme& s = *scheme;
  const unsigned bits = s.bits;
  const uint64_t gs = s.group_size;
  const uint64_t scale_bytes = scheme->mode == QuantMode::kAffine ? dtype_bits(scale_dtype) / 8 : 1;
  const uint8_t* row = data.data() + r * row_bytes;
  const uint8_t* srow = scales.data() + r * scale_row_bytes;
  const uint8_t* brow = has_biases ? biases.data() + r * scale_row_bytes : nullptr;
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  for (uint64_t c = c0; c < c0 + n; c += gs) {
    const uint64_t g = c / gs;
    float scale = 0.0f, bias = 0.0f;
    switch (s.mode) {
      case QuantMode::kAffine:
        decode_floats(scale_dtype, srow + g * scale_bytes, 1, &scale);
        if (brow) decode_floats(scale_dtype, brow + g * scale_bytes, 1, &bias);
        break;
      case QuantMode::kMxfp4:
      case QuantMode::kMxfp8:
        scale = e8m0_to_float(srow[g]);
        break;
      case QuantMode::kNvfp4:
        scale = e4m3_to_float(srow[g]);
        break;
    }
    // A group starts on a byte: group sizes are multiples of 8 codes.
    const uint8_t* codes = row + c * bits / 8;
    float* o = out + (c - c0);
    if (bits == 4 && s.mode == QuantMode::kAffine) {
      // code_value[q] is q: converted directly, so that the loop vectorises.
      for (uint64_t i = 0; i < gs / 2; ++i) {
        const uint8_t b = codes[i];
        o[2 * i] = static_cast<float>(b & 15) * scale + bias;
        o[2 * i + 1] = static_cast<float>(b >> 4) * scale + bias;
      }
    } else if (bits == 8 && s.mode == QuantMode::kAffine) {
      for (uint64_t i = 0; i < gs; ++i) o[i] = static_cast<float>(codes[i]) * scale + bias;
    } else if (bits == 4) {
      for (uint64_t i = 0; i < gs / 2; ++i) {
        const uint8_t b = codes[i];
        o[2 * i] = code_value[b & 15] * scale + bias;
        o[2 * i + 1] = code_value[b >> 4] * scale + bias;
      }
    } else if (bits == 8) {
      for (uint64_t i = 0; i < gs; ++i) o[i] = code_value[codes[i]] * scale + bias;
    } else {
      // An LSB-first bit stream: refill a 64-bit accumulator a byte at a time.
      uint64_t acc = 0;
      unsigned have = 0;
      size_t byte = 0;
      for (uint64_t k = 0; k < gs; ++k) {
        while (have < bits) {
          acc |= static_cast<uint64_t>(codes[byte++]) << have;
          have += 8;
        }
        o[k] = code_value[acc & mask] * scale + bias;
        acc >>= bits;
        have -= bits;
      }
    }
  }
}

}  // namespace medq
