#include "medq/quality/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "medq/quality/kernels.hpp"
#include "medq/util/parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MEDQ_GEMM_X86 1
#endif

namespace medq {
namespace {

// The product is computed transposed, y^T = W . x^T, so that W is read row by row as stored
// and only the small x is rearranged. A micro-tile is 6 rows of W by 16 rows of x (12 AVX
// accumulators: 6 broadcast weights times two vectors of 8 x values per step of k); a block
// of 48 weight rows and 256 columns is decoded into a thread's scratch and multiplied against
// every panel of 16 x rows before the next block is decoded, so each weight is decoded once.
constexpr size_t kNr = 16;        // rows of x per panel
constexpr size_t kMr = 6;         // rows of W per micro-tile
constexpr size_t kMw = 16 * kMr;  // rows of W per decoded block, at most
constexpr size_t kKcBase = 256;   // columns per decoded block (rounded to the group size)

/// Runs fn(thread) on `threads` threads.
template <typename Fn>
void on_threads(unsigned threads, Fn fn) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(fn, t);
  fn(0u);
  for (auto& t : pool) t.join();
}

void blas_product(const float* x, size_t n, const EncodedRows& w, float* y, size_t ldy,
                  unsigned threads, GemmScratch& s) {
  const size_t m = w.rows, k = w.cols;
  s.decoded.resize(m * k);
  parallel_for(threads, threads, [&](size_t t) {
    const size_t a = m * t / threads, b = m * (t + 1) / threads;
    for (size_t r = a; r < b; ++r) w.decode(r, 0, k, s.decoded.data() + r * k);
  });
  matmul_nt(x, n, k, s.decoded.data(), m, y, ldy);
}

#ifdef MEDQ_GEMM_X86
/// c[6 x 16] (+)= a[kc x 6] times b[kc x 16] (a packed: the 6 weights of each step together).
__attribute__((target("avx2,fma"))) void micro_kernel(const float* a, const float* b, size_t kc,
                                                      float* c, bool accumulate) {
  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
  if (accumulate) {
    c00 = _mm256_loadu_ps(c + 0), c01 = _mm256_loadu_ps(c + 8);
    c10 = _mm256_loadu_ps(c + 16), c11 = _mm256_loadu_ps(c + 24);
    c20 = _mm256_loadu_ps(c + 32), c21 = _mm256_loadu_ps(c + 40);
    c30 = _mm256_loadu_ps(c + 48), c31 = _mm256_loadu_ps(c + 56);
    c40 = _mm256_loadu_ps(c + 64), c41 = _mm256_loadu_ps(c + 72);
    c50 = _mm256_loadu_ps(c + 80), c51 = _mm256_loadu_ps(c + 88);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
  }
// One step of k: two vectors of x, six broadcast weights, twelve multiply-adds.
#define MEDQ_GEMM_STEP(ak, bk)                   \
  {                                              \
    const __m256 b0 = _mm256_loadu_ps(bk);       \
    const __m256 b1 = _mm256_loadu_ps((bk) + 8); \
    __m256 t;                                    \
    t = _mm256_broadcast_ss((ak) + 0);           \
    c00 = _mm256_fmadd_ps(t, b0, c00);           \
    c01 = _mm256_fmadd_ps(t, b1, c01);           \
    t = _mm256_broadcast_ss((ak) + 1);           \
    c10 = _mm256_fmadd_ps(t, b0, c10);           \
    c11 = _mm256_fmadd_ps(t, b1, c11);           \
    t = _mm256_broadcast_ss((ak) + 2);           \
    c20 = _mm256_fmadd_ps(t, b0, c20);           \
    c21 = _mm256_fmadd_ps(t, b1, c21);           \
    t = _mm256_broadcast_ss((ak) + 3);           \
    c30 = _mm256_fmadd_ps(t, b0, c30);           \
    c31 = _mm256_fmadd_ps(t, b1, c31);           \
    t = _mm256_broadcast_ss((ak) + 4);           \
    c40 = _mm256_fmadd_ps(t, b0, c40);           \
    c41 = _mm256_fmadd_ps(t, b1, c41);           \
    t = _mm256_broadcast_ss((ak) + 5);           \
    c50 = _mm256_fmadd_ps(t, b0, c50);           \
    c51 = _mm256_fmadd_ps(t, b1, c51);           \
  }

  size_t k = 0;
  for (; k + 4 <= kc; k += 4, a += 4 * kMr, b += 4 * kNr) {
    MEDQ_GEMM_STEP(a, b)
    MEDQ_GEMM_STEP(a + kMr, b + kNr)
    MEDQ_GEMM_STEP(a + 2 * kMr, b + 2 * kNr)
    MEDQ_GEMM_STEP(a + 3 * kMr, b + 3 * kNr)
  }
  for (; k < kc; ++k, a += kMr, b += kNr) MEDQ_GEMM_STEP(a, b)
#undef MEDQ_GEMM_STEP
  _mm256_storeu_ps(c + 0, c00), _mm256_storeu_ps(c + 8, c01);
  _mm256_storeu_ps(c + 16, c10), _mm256_storeu_ps(c + 24, c11);
  _mm256_storeu_ps(c + 32, c20), _mm256_storeu_ps(c + 40, c21);
  _mm256_storeu_ps(c + 48, c30), _mm256_storeu_ps(c + 56, c31);
  _mm256_storeu_ps(c + 64, c40), _mm256_storeu_ps(c + 72, c41);
  _mm256_storeu_ps(c + 80, c50), _mm256_storeu_ps(c + 88, c51);
}

void own_product(const float* x, size_t n, const EncodedRows& w, float* y, size_t ldy,
                 unsigned threads, GemmScratch& s) {
  const size_t m = w.rows, k = w.cols;
  const size_t step = static_cast<size_t>(w.column_step());
  const size_t kc_max = std::max(step, (kKcBase + step - 1) / step * step);
  const size_t panels = (n + kNr - 1) / kNr;
  // x^T in panels: xt[p][j][t] = x[p * 16 + t][j], zero past the last row.
  s.xt.assign(panels * k * kNr, 0.0f);
  parallel_for(panels, threads, [&](size_t p) {
    float* dst = s.xt.data() + p * k * kNr;
    for (size_t t = 0; t < kNr && p * kNr + t < n; ++t) {
      const float* src = x + (p * kNr + t) * k;
      for (size_t j = 0; j < k; ++j) dst[j * kNr + t] = src[j];
    }
  });
  // Blocks of equal size (a multiple of 6 rows), their count a multiple of the threads, so that
  // the threads finish together.
  size_t blocks = (m + kMw - 1) / kMw;
  blocks = (blocks + threads - 1) / threads * threads;
  const size_t block_rows = std::min(kMw, ((m + blocks - 1) / blocks + kMr - 1) / kMr * kMr);
  blocks = (m + block_rows - 1) / block_rows;
  const size_t tile_floats = 2 * kMw * kc_max + kMw * panels * kNr;
  s.tiles.resize(threads);
  std::atomic<size_t> next{0};
  on_threads(threads, [&](unsigned t) {
    std::vector<float>& scratch = s.tiles[t];
    scratch.resize(tile_floats);
    float* wd = scratch.data();                     // kMw rows of kc_max decoded weights
    float* wp = scratch.data() + kMw * kc_max;      // the same as [tile][k][6]
    float* ct = scratch.data() + 2 * kMw * kc_max;  // [tile][panel][6][16] partial results
    for (size_t blk = next++; blk < blocks; blk = next++) {
      const size_t j0 = blk * block_rows, rows = std::min(block_rows, m - j0);
      const size_t tiles = (rows + kMr - 1) / kMr;
      for (size_t k0 = 0; k0 < k; k0 += kc_max) {
        const size_t kc = std::min(kc_max, k - k0);
        for (size_t r = 0; r < tiles * kMr; ++r) {
          float* dst = wd + r * kc_max;
          if (r < rows) {
            w.decode(j0 + r, k0, kc, dst);
          } else {
            std::fill(dst, dst + kc, 0.0f);
          }
        }
        for (size_t tr = 0; tr < tiles; ++tr) {
          const float* src = wd + tr * kMr * kc_max;
          float* dst = wp + tr * kMr * kc_max;
          for (size_t j = 0; j < kc; ++j)
            for (size_t r = 0; r < kMr; ++r) dst[j * kMr + r] = src[r * kc_max + j];
        }
        for (size_t p = 0; p < panels; ++p) {
          const float* b = s.xt.data() + p * k * kNr + k0 * kNr;
          for (size_t tr = 0; tr < tiles; ++tr) {
            micro_kernel(wp + tr * kMr * kc_max, b, kc, ct + (tr * panels + p) * kMr * kNr, k0 > 0);
          }
        }
      }
      if (k == 0) std::fill(ct, ct + tiles * panels * kMr * kNr, 0.0f);
      for (size_t tr = 0; tr < tiles; ++tr) {
        for (size_t p = 0; p < panels; ++p) {
          const float* c = ct + (tr * panels + p) * kMr * kNr;
          for (size_t tt = 0; tt < kNr && p * kNr + tt < n; ++tt) {
            float* dst = y + (p * kNr + tt) * ldy + j0 + tr * kMr;
            for (size_t r = 0; r < kMr && tr * kMr + r < rows; ++r) dst[r] = c[r * kNr + tt];
          }
        }
      }
    }
  });
}
#endif

}  // namespace

bool own_gemm_available() {
#ifdef MEDQ_GEMM_X86
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

void matmul_encoded(const float* x, size_t n, const EncodedRows& w, float* y, size_t ldy,
                    unsigned threads, GemmKernel kernel, GemmScratch& scratch) {
  if (n == 0 || w.rows == 0) return;
  threads = std::max(1u, threads);
#ifdef MEDQ_GEMM_X86
  if (kernel == GemmKernel::kAuto && own_gemm_available()) {
    own_product(x, n, w, y, ldy, threads, scratch);
    return;
  }
#endif
  blas_product(x, n, w, y, ldy, threads, scratch);
}

}  // namespace medq
