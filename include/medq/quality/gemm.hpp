// The forward pass's matrix product with the weights as stored: y = x . W^T, W's rows decoded
// a tile at a time as the product reaches them (never the whole matrix in float32), on an AVX2
// and FMA micro-kernel where the processor has them, else decoded in full and multiplied by
// OpenBLAS's sgemm. docs/benchmarks.md measures both.
#pragma once

#include <cstddef>
#include <vector>

#include "medq/data/encoded_rows.hpp"

namespace medq {

enum class GemmKernel {
  kAuto,  ///< the own kernel where the processor has AVX2 and FMA, else kBlas
  kBlas,  ///< decode every row, then OpenBLAS sgemm
};

/// True when kAuto picks the own kernel on this processor.
bool own_gemm_available();

/// Reused buffers of matmul_encoded (one per thread), so that a run allocates once.
struct GemmScratch {
  std::vector<float> xt;                  ///< x, transposed in panels of 16 rows
  std::vector<std::vector<float>> tiles;  ///< per thread: decoded weights and partial results
  std::vector<float> decoded;             ///< kBlas: all of W in float32
};

/// y[n x m] = x[n x k] . W^T for W = `w` (m = w.rows, k = w.cols); rows of y are `ldy` apart.
/// `threads` workers (at least 1).
void matmul_encoded(const float* x, size_t n, const EncodedRows& w, float* y, size_t ldy,
                    unsigned threads, GemmKernel kernel, GemmScratch& scratch);

}  // namespace medq
