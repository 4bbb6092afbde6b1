#include "medq/quality/kernels.hpp"

#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

namespace medq {
namespace {

/// e^x in float32 without a library call, so that loops over it vectorise: x = n ln 2 + r with
/// |r| <= ln 2 / 2 (n rounded by adding 1.5 * 2^23), Cephes expf's polynomial for e^r, times
/// 2^n built in the exponent bits. Within 2 ulp of e^x; x is clamped to [-87.3, 88.7], where
/// e^x stays a normal float.
inline float exp_f32(float x) {
  x = std::min(std::max(x, -87.3f), 88.7f);
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

#if defined(__x86_64__) || defined(__i386__)
#define MEDQ_KERNELS_X86 1
/// exp_f32 on 8 lanes, the same operations in the same order (no fused multiply-add), so the
/// result is the scalar one, bit for bit.
__attribute__((target("avx2"))) inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  const __m256 n = _mm256_sub_ps(
      _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), magic), magic);
  const __m256 r = _mm256_sub_ps(_mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f))),
                                 _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/// x[i] <- x[i] / (1 + e^-t) * u[i], t = k (x + c x^3) (c = 0: t = x), on 8 lanes at a time;
/// returns where the tail starts.
__attribute__((target("avx2"))) size_t gated8(float* x, const float* u, size_t n, float k,
                                              float c) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(x + i);
    const __m256 t =
        c == 0.0f
            ? g
            : _mm256_mul_ps(_mm256_set1_ps(k),
                            _mm256_add_ps(g, _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(c), g),
                                                           _mm256_mul_ps(g, g))));
    const __m256 d =
        _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_sub_ps(_mm256_setzero_ps(), t)));
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_div_ps(g, d), _mm256_loadu_ps(u + i)));
  }
  return i;
}

bool has_avx2() { return __builtin_cpu_supports("avx2"); }
#endif

}  // namespace

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
  // LlamaMLP: down_proj(act_fn(gate_proj(x)) * up_proj(x)), act_fn = SiLU = x * sigmoid(x)
  // = x / (1 + e^-x), in float32 as torch computes it.
  size_t i = 0;
#ifdef MEDQ_KERNELS_X86
  static const bool avx2 = has_avx2();
  if (avx2) i = gated8(x, u, n, 1.0f, 0.0f);
#endif
  for (; i < n; ++i) x[i] = x[i] / (1.0f + exp_f32(0.0f - x[i])) * u[i];
}

void gelu_tanh_mul(float* x, const float* u, size_t n) {
  // Gemma3MLP with hidden_activation gelu_pytorch_tanh (activations.py PytorchGELUTanh):
  // 0.5 x (1 + tanh(t)), t = sqrt(2 / pi) (x + 0.044715 x^3). Since 1 + tanh(t) =
  // 2 / (1 + e^-2t), that is x / (1 + e^-2t): the same function without tanh's cancellation
  // near t = -inf, in float32 as torch computes it. Eight at a time where the CPU has AVX2,
  // with the same operations in the same order.
  constexpr float k2 = 2.0f * 0.7978845608028654f;  // 2 sqrt(2 / pi)
  constexpr float c = 0.044715f;
  size_t i = 0;
#ifdef MEDQ_KERNELS_X86
  static const bool avx2 = has_avx2();
  if (avx2) i = gated8(x, u, n, k2, c);
#endif
  for (; i < n; ++i) {
    const float g = x[i];
    const float t = k2 * (g + c * g * (g * g));
    x[i] = g / (1.0f + exp_f32(0.0f - t)) * u[i];
  }
}

void attend(const float* q, size_t q_stride, const float* k, const float* v, size_t kv_stride,
            float* out, size_t out_stride, size_t q_first, size_t len, size_t head_dim,
            double scale, std::optional<uint64_t> window, float* scores) {
  // eager_attention_forward: softmax(q k^T * scaling + mask) v, the mask -inf above the diagonal
  // and, for sliding layers, where kv_idx <= q_idx - sliding_window (masking_utils.py
  // sliding_window_overlay). Scores by sgemm, each row's softmax in float32 with its sum in
  // double.
  if (q_first >= len) return;
  const auto Q = static_cast<blasint>(len - q_first), L = static_cast<blasint>(len),
             D = static_cast<blasint>(head_dim);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Q, L, D, static_cast<float>(scale), q,
              static_cast<blasint>(q_stride), k, static_cast<blasint>(kv_stride), 0.0f, scores, L);
  for (size_t i = q_first; i < len; ++i) {
    float* s = scores + (i - q_first) * len;
    const size_t first = window && i + 1 > *window ? i + 1 - *window : 0;
    float mx = -std::numeric_limits<float>::infinity();
    for (size_t j = first; j <= i; ++j) mx = std::max(mx, s[j]);
    double sum = 0;
    for (size_t j = first; j <= i; ++j) {
      s[j] = exp_f32(s[j] - mx);
      sum += s[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (size_t j = 0; j < first; ++j) s[j] = 0.0f;
    for (size_t j = first; j <= i; ++j) s[j] *= inv;
    for (size_t j = i + 1; j < len; ++j) s[j] = 0.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Q, D, L, 1.0f, scores, L, v,
              static_cast<blasint>(kv_stride), 0.0f, out, static_cast<blasint>(out_stride));
}

}  // namespace medq
