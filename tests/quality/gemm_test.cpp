// The matrix product from stored weights against a double-precision loop over the same decoded
// values: both kernels, shapes with every kind of edge (rows of x past a panel of 16, weight
// rows past a micro-tile of 6 and a block of 48, columns past a decoded block of 256), float and
// packed weights, and y written with a row stride wider than the product.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "medq/quality/gemm.hpp"

namespace medq {
namespace {

EncodedRows random_rows(uint64_t rows, uint64_t cols, std::optional<QuantScheme> scheme,
                        Dtype dtype, std::mt19937& rng) {
  EncodedRows e;
  e.rows = rows;
  e.cols = cols;
  e.dtype = dtype;
  e.scheme = scheme;
  std::uniform_int_distribution<int> byte(0, 255);
  if (!scheme) {
    e.row_bytes = cols * (dtype == Dtype::F32 ? 4 : 2);
    e.data.resize(rows * e.row_bytes);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (uint64_t i = 0; i < rows * cols; ++i) {
      const float v = normal(rng);
      uint32_t u;
      std::memcpy(&u, &v, 4);
      if (dtype == Dtype::F32) {
        std::memcpy(e.data.data() + 4 * i, &u, 4);
      } else {  // BF16: the top half
        e.data[2 * i] = static_cast<uint8_t>(u >> 16);
        e.data[2 * i + 1] = static_cast<uint8_t>(u >> 24);
      }
    }
  } else {
    e.row_bytes = cols * scheme->bits / 8;
    e.data.resize(rows * e.row_bytes);
    for (auto& b : e.data) b = static_cast<uint8_t>(byte(rng));
    const uint64_t groups = cols / scheme->group_size;
    if (scheme->mode == QuantMode::kAffine) {
      e.scale_dtype = Dtype::BF16;
      e.has_biases = true;
      e.scale_row_bytes = groups * 2;
      // bf16 scales near 0.01 and biases near -0.1: 0x3C23 ~ 0.00995, 0xBDCC ~ -0.0996.
      e.scales.resize(rows * e.scale_row_bytes);
      e.biases.resize(rows * e.scale_row_bytes);
      for (uint64_t g = 0; g < rows * groups; ++g) {
        e.scales[2 * g] = static_cast<uint8_t>(byte(rng));
        e.scales[2 * g + 1] = 0x3C;
        e.biases[2 * g] = static_cast<uint8_t>(byte(rng));
        e.biases[2 * g + 1] = 0xBD;
      }
    } else {
      e.scale_dtype = Dtype::U8;
      e.scale_row_bytes = groups;
      e.scales.resize(rows * groups);
      // E8M0 2^-7..2^0; E4M3 0.5..0.94 (0x7F would be NaN).
      const int base = scheme->mode == QuantMode::kNvfp4 ? 0x30 : 120;
      for (auto& s : e.scales) s = static_cast<uint8_t>(base + byte(rng) % 8);
    }
  }
  e.prepare();
  return e;
}

void expect_product(size_t n, const EncodedRows& w, GemmKernel kernel, const char* what) {
  const size_t m = w.rows, k = w.cols, ldy = m + 3;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n * k), dw(m * k);
  for (auto& v : x) v = normal(rng);
  for (size_t r = 0; r < m; ++r) w.decode(r, 0, k, dw.data() + r * k);
  std::vector<float> y(n * ldy, -7.0f);
  GemmScratch scratch;
  for (unsigned threads : {1u, 2u, 3u}) {
    matmul_encoded(x.data(), n, w, y.data(), ldy, threads, kernel, scratch);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < m; ++j) {
        double want = 0, scale = 0;
        for (size_t t = 0; t < k; ++t) {
          want += static_cast<double>(x[i * k + t]) * dw[j * k + t];
          scale += std::fabs(static_cast<double>(x[i * k + t]) * dw[j * k + t]);
        }
        ASSERT_NEAR(y[i * ldy + j], want, 1e-6 * scale + 1e-30)
            << what << " n=" << n << " m=" << m << " k=" << k << " threads=" << threads << " at "
            << i << "," << j;
      }
      for (size_t j = m; j < ldy; ++j) ASSERT_EQ(y[i * ldy + j], -7.0f) << "wrote past m";
    }
  }
}

TEST(Gemm, MatchesDoubleLoopOnEveryEdge) {
  std::mt19937 rng(1);
  struct Shape {
    size_t n, m, k;
  };
  for (GemmKernel kernel : {GemmKernel::kAuto, GemmKernel::kBlas}) {
    for (Shape s : {Shape{1, 1, 64}, Shape{17, 7, 64}, Shape{16, 48, 256}, Shape{33, 49, 320},
                    Shape{5, 100, 576}, Shape{40, 53, 1024}}) {
      expect_product(s.n, random_rows(s.m, s.k, std::nullopt, Dtype::F32, rng), kernel, "f32");
      expect_product(s.n, random_rows(s.m, s.k, std::nullopt, Dtype::BF16, rng), kernel, "bf16");
      for (QuantScheme q :
           {QuantScheme{QuantMode::kAffine, 4, 64}, QuantScheme{QuantMode::kAffine, 3, 32},
            QuantScheme{QuantMode::kAffine, 8, 64}, QuantScheme{QuantMode::kMxfp4, 4, 32},
            QuantScheme{QuantMode::kNvfp4, 4, 16}}) {
        expect_product(s.n, random_rows(s.m, s.k, q, Dtype::U8, rng), kernel,
                       describe_scheme(q).c_str());
      }
    }
  }
}

TEST(Gemm, OddColumnCountsWithFloatWeights) {
  std::mt19937 rng(2);
  for (size_t k : {1u, 3u, 255u, 257u, 513u})
    expect_product(19, random_rows(13, k, std::nullopt, Dtype::F32, rng), GemmKernel::kAuto, "f32");
}

TEST(Gemm, TheOwnKernelIsUsedWhereAvailable) {
  // Recorded so that a run on a machine without AVX2 and FMA says which path it tested.
  RecordProperty("own_kernel", own_gemm_available() ? "yes" : "no");
  if (!own_gemm_available()) GTEST_SKIP() << "no AVX2 and FMA: only the OpenBLAS path ran";
}

}  // namespace
}  // namespace medq
