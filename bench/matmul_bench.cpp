// The matrix product of medq's forward pass two ways, on the shapes of a 4B model's layers at
// 512 tokens: OpenBLAS sgemm (medq::matmul_nt) and medq's own blocked loop (matmul_nt_own).
// Prints GFLOP/s of each; docs/benchmarks.md records the choice. With a fifth argument "blas",
// only sgemm, the best of five runs: the machine's matrix-product peak that scripts/bench.sh
// reads medq quality's speed against.
// usage: medq-bench-matmul [TOKENS IN OUT [THREADS [blas]]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "medq/quality/gemm.hpp"
#include "medq/quality/kernels.hpp"

int main(int argc, char** argv) {
  const size_t n = argc > 3 ? std::strtoul(argv[1], nullptr, 10) : 512;
  const size_t k = argc > 3 ? std::strtoul(argv[2], nullptr, 10) : 2560;
  const size_t m = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 10240;
  const unsigned threads = argc > 4 ? static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10)) : 0;
  std::vector<float> x(n * k), w(m * k), y(n * m);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) * 0.1f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 5) * 0.1f;
  medq::set_blas_threads(threads);
  auto time = [&](auto fn) {
    fn();  // warm-up
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double flop =
      2.0 * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(m);
  const double blas = time([&] { medq::matmul_nt(x.data(), n, k, w.data(), m, y.data()); });
  if (argc > 5 && std::strcmp(argv[5], "blas") == 0) {
    double best = blas;
    for (int i = 0; i < 4; ++i)
      best = std::min(best, time([&] { medq::matmul_nt(x.data(), n, k, w.data(), m, y.data()); }));
    std::printf("%zu x %zu . (%zu x %zu)^T: OpenBLAS sgemm %.1f GFLOP/s (best of 5, %.3f s)\n", n,
                k, m, k, flop / best * 1e-9, best);
    return 0;
  }
  if (argc > 5 && std::strcmp(argv[5], "encoded") == 0) {
    // The forward pass's product from stored weights: float32, bf16 and affine 4-bit g64.
    const unsigned t = threads ? threads : 2;
    medq::GemmScratch scratch;
    // Interleaved with sgemm on float32 weights, best of five each: the machine's clock drifts.
    auto report = [&](const char* what, const medq::EncodedRows& e) {
      double best = 1e30, best_blas = 1e30;
      for (int i = 0; i < 5; ++i) {
        best = std::min(best, time([&] {
                          medq::matmul_encoded(x.data(), n, e, y.data(), m, t,
                                               medq::GemmKernel::kAuto, scratch);
                        }));
        best_blas = std::min(best_blas,
                             time([&] { medq::matmul_nt(x.data(), n, k, w.data(), m, y.data()); }));
      }
      std::printf(
          "%zu x %zu . (%zu x %zu)^T: own kernel from %s weights %.1f GFLOP/s (%.3f s), sgemm on "
          "float32 %.1f GFLOP/s: %.2fx\n",
          n, k, m, k, what, flop / best * 1e-9, best, flop / best_blas * 1e-9, best_blas / best);
    };
    medq::EncodedRows e;
    e.rows = m, e.cols = k, e.dtype = medq::Dtype::F32, e.row_bytes = k * 4;
    e.data.resize(m * k * 4);
    std::memcpy(e.data.data(), w.data(), e.data.size());
    e.prepare();
    report("f32", e);
    e.dtype = medq::Dtype::BF16, e.row_bytes = k * 2;
    e.data.assign(m * k * 2, 0x3f);
    report("bf16", e);
    e.scheme = medq::QuantScheme{medq::QuantMode::kAffine, 4, 64};
    e.scale_dtype = medq::Dtype::BF16, e.has_biases = true, e.row_bytes = k / 2;
    e.scale_row_bytes = k / 64 * 2;
    e.data.assign(m * k / 2, 0x5a);
    e.scales.assign(m * e.scale_row_bytes, 0x3c);
    e.biases.assign(m * e.scale_row_bytes, 0x3c);
    e.prepare();
    report("4-bit", e);
    return 0;
  }
  const double own = time([&] { medq::matmul_nt_own(x.data(), n, k, w.data(), m, y.data()); });
  std::printf(
      "%zu x %zu . (%zu x %zu)^T: OpenBLAS sgemm %.1f GFLOP/s (%.3f s), own loop %.1f "
      "GFLOP/s (%.3f s, one thread)\n",
      n, k, m, k, flop / blas * 1e-9, blas, flop / own * 1e-9, own);
  return 0;
}
