// A block of a tensor's rows as stored (float elements, or packed codes with their scales and
// biases), held in memory so that any part of any row decodes to float32 without another read:
// the matrix product of the forward pass decodes weights a tile at a time as it multiplies.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "medq/formats/dtype.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

struct EncodedRows {
  uint64_t rows = 0, cols = 0;  ///< rows held, logical columns
  /// Element dtype of a plain float tensor (decodable_float); unused when `scheme` is set.
  Dtype dtype = Dtype::F32;
  std::optional<QuantScheme> scheme;
  Dtype scale_dtype = Dtype::U8;  ///< affine: a float dtype; fp modes: U8 (E8M0 or E4M3)
  bool has_biases = false;
  uint64_t row_bytes = 0, scale_row_bytes = 0;  ///< stored bytes per row of data and of scales
  /// Buffers keep their capacity between reads of equal-sized blocks.
  std::vector<uint8_t> data, scales, biases;
  /// The value of each code before scaling (affine: the code itself; E2M1 or E4M3 elements),
  /// set by prepare().
  float code_value[256] = {};

  /// Fills code_value for `scheme`; call after setting it.
  void prepare();

  /// Columns a decoded span must start at a multiple of: the group size of packed rows, else 1.
  uint64_t column_step() const { return scheme ? scheme->group_size : 1; }

  /// Decodes columns [c0, c0 + n) of held row `r` into `out` (affine: scale * q + bias; fp
  /// modes: element * scale). Requires r < rows, c0 + n <= cols, and c0 a multiple of
  /// column_step() (so a span starts on a byte of the packed row), and so is n.
  void decode(uint64_t r, uint64_t c0, uint64_t n, float* out) const;
};

}  // namespace medq
