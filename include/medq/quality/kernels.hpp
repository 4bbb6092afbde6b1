// The float32 operations of the forward pass, each as transformers writes it (cited per
// function in kernels.cpp). Matrix products go to OpenBLAS's sgemm (docs/benchmarks.md says
// why); the rest are plain loops over rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace medq {

/// y[n x m] = x[n x k] . w[m x k]^T (a Linear layer: w is [out, in]), with OpenBLAS; rows of y
/// are `ldy` apart (0: m).
void matmul_nt(const float* x, size_t n, size_t k, const float* w, size_t m, float* y,
               size_t ldy = 0);

/// The same product by medq's own cache-blocked loop (kept for the benchmark against sgemm).
void matmul_nt_own(const float* x, size_t n, size_t k, const float* w, size_t m, float* y);

/// Threads OpenBLAS may use (0 = one per core).
void set_blas_threads(unsigned threads);

/// RMSNorm of each of `rows` rows of `dim` values, in place: x / sqrt(mean(x^2) + eps) * g, with
/// g = w (LlamaRMSNorm) or g = 1 + w (Gemma3RMSNorm, `one_plus`). `stride` between rows.
void rms_norm(float* x, size_t rows, size_t dim, size_t stride, const float* w, double eps,
              bool one_plus);

/// Rotary embedding (rotate_half layout) of `heads` heads of `head_dim` values at position `pos`.
void apply_rope(float* x, size_t heads, size_t head_dim, const float* inv_freq, uint64_t pos);

/// x <- silu(x) * u (LlamaMLP) or gelu_tanh(x) * u (Gemma3MLP), elementwise over n values.
void silu_mul(float* x, const float* u, size_t n);
void gelu_tanh_mul(float* x, const float* u, size_t n);

/// Causal attention of one chunk of `len` tokens for one query head against its key/value head:
/// the queries of positions [q_first, len) (q's first row is position q_first), keys and values
/// of every position; q, k, v rows of head_dim values at the given row strides; out rows (one
/// per query) likewise. `scores` holds (len - q_first) x len floats of scratch. With a window,
/// the query of position i sees keys j with i - window < j <= i.
void attend(const float* q, size_t q_stride, const float* k, const float* v, size_t kv_stride,
            float* out, size_t out_stride, size_t q_first, size_t len, size_t head_dim,
            double scale, std::optional<uint64_t> window, float* scores);

}  // namespace medq
