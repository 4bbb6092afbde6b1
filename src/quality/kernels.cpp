#include "medq/quality/kernels.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace medq {

void matmul_nt(const float* x, size_t n, size_t k, const float* w, size_t m, float* y, size_t ldy) {
  if (n == 0 || m == 0) return;
  const auto N = static_cast<blasint>(n), K = static_cast<blasint>(k), M = static_cast<blasint>(m);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, M, K, 1.0f, x, K, w, K, 0.0f, y,
              static_cast<blasint>(ldy ? ldy : m));
}

void matmul_nt_own(const float* x, size_t n, size_t k, const float* w, size_t m, float* y) {
  // Blocks of 4 inputs x 4 outputs: each loaded row of x and w is used four times, and the
  // inner loop over k vectorises (gcc -O2 with -ftree-vectorize from -O3 is not assumed).
  constexpr size_t B = 4;
  for (size_t i0 = 0; i0 < n; i0 += B) {
    const size_t ni = std::min(B, n - i0);
    for (size_t j0 = 0; j0 < m; j0 += B) {
      const size_t nj = std::min(B, m - j0);
      float acc[B][B] = {};
      for (size_t i = 0; i < ni; ++i) {
        const float* xr = x + (i0 + i) * k;
        for (size_t j = 0; j < nj; ++j) {
          const float* wr = w + (j0 + j) * k;
          float s = 0;
          for (size_t t = 0; t < k; ++t) s += xr[t] * wr[t];
          acc[i][j] = s;
        }
      }
      for (size_t i = 0; i < ni; ++i)
        for (size_t j = 0; j < nj; ++j) y[(i0 + i) * m + j0 + j] = acc[i][j];
    }
  }
}

void set_blas_threads(unsigned threads) {
  if (threads) openblas_set_num_threads(static_cast<int>(threads));
}

void rms_norm(float* x, size_t rows, size_t dim, size_t stride, const float* w, double eps,
              bool one_plus) {
  // LlamaRMSNorm.forward (modeling_llama.py): h * rsqrt(mean(h^2) + eps), times weight;
  // Gemma3RMSNorm.forward (modeling_gemma3.py): the same, times (1 + weight). float32 throughout
  // (the mean of squares accumulated in double here; torch's float sum differs in the last bit).
  for (size_t r = 0; r < rows; ++r) {
    float* v = x + r * stride;
    double ss = 0;
    for (size_t i = 0; i < dim; ++i) ss += static_cast<double>(v[i]) * v[i];
    const float inv = static_cast<float>(
        1.0 /
        std::sqrt(static_cast<double>(static_cast<float>(ss / static_cast<double>(dim))) + eps));
    for (size_t i = 0; i < dim; ++i) {
      const float g = one_plus ? 1.0f + w[i] : w[i];
      v[i] = v[i] * inv * g;
    }
  }
}

void apply_rope(float* x, size_t heads, size_t head_dim, const float* inv_freq, uint64_t pos) {
  // apply_rotary_pos_emb with rotate_half (modeling_llama.py, modeling_gemma3.py): the angle
  // of pair (i, i + d/2) is pos * inv_freq[i], formed in float32 as the rotary embedding does.
  const size_t half = head_dim / 2;
  for (size_t i = 0; i < half; ++i) {
    const float angle = static_cast<float>(pos) * inv_freq[i];
    const float c = static_cast<float>(std::cos(static_cast<double>(angle)));
    const float s = static_cast<float>(std::sin(static_cast<double>(angle)));
    for (size_t h = 0; h < heads; ++h) {
      float* v = x + h * head_dim;
      const float a = v[i], b = v[i + half];
      v[i] = a * c - b * s;
      v[i + half] = b * c + a * s;
    }
  }
}

void silu_mul(float* x, const float* u, size_t n) {
  // LlamaMLP: down_proj(act_fn(gate_proj(x)) * up_proj(x)), act_fn = SiLU = x * sigmoid(x).
  for (size_t i = 0; i < n; ++i) {
    const double g = x[i];
    x[i] = static_cast<float>(g / (1.0 + std::exp(-g))) * u[i];
  }
}

void gelu_tanh_mul(float* x, const float* u, size_t n) {
  // Gemma3MLP with hidden_activation gelu_pytorch_tanh (activations.py PytorchGELUTanh):
  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
  const double k = std::sqrt(2.0 / std::numbers::pi);
  for (size_t i = 0; i < n; ++i) {
    const double g = x[i];
    x[i] = static_cast<float>(0.5 * g * (1.0 + std::tanh(k * (g + 0.044715 * g * g * g)))) * u[i];
  }
}

void attend(const float* q, size_t q_stride, const float* k, const float* v, size_t kv_stride,
            float* out, size_t out_stride, size_t len, size_t head_dim, double scale,
            std::optional<uint64_t> window, float* scores) {
  // eager_attention_forward: softmax(q k^T * scaling + mask) v, the mask -inf above the diagonal
  // and, for sliding layers, where kv_idx <= q_idx - sliding_window (masking_utils.py
  // sliding_window_overlay). Scores by sgemm, masked rows softmaxed in double.
  const auto L = static_cast<blasint>(len), D = static_cast<blasint>(head_dim);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L, L, D, static_cast<float>(scale), q,
              static_cast<blasint>(q_stride), k, static_cast<blasint>(kv_stride), 0.0f, scores, L);
  for (size_t i = 0; i < len; ++i) {
    float* s = scores + i * len;
    const size_t first = window && i + 1 > *window ? i + 1 - *window : 0;
    float mx = -std::numeric_limits<float>::infinity();
    for (size_t j = first; j <= i; ++j) mx = std::max(mx, s[j]);
    double sum = 0;
    for (size_t j = first; j <= i; ++j) sum += std::exp(static_cast<double>(s[j] - mx));
    for (size_t j = 0; j < len; ++j)
      s[j] = j < first || j > i
                 ? 0.0f
                 : static_cast<float>(std::exp(static_cast<double>(s[j] - mx)) / sum);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, L, D, L, 1.0f, scores, L, v,
              static_cast<blasint>(kv_stride), 0.0f, out, static_cast<blasint>(out_stride));
}

}  // namespace medq
