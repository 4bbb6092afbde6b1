// The activations: the vector path (eight lanes, where the CPU has AVX2) and the scalar tail
// give the same float for the same input, and both follow the definitions in double precision.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "medq/quality/kernels.hpp"

namespace medq {
namespace {

void expect_activation(void (*fn)(float*, const float*, size_t), double (*want)(double)) {
  std::vector<float> inputs;
  for (float v = -30.0f; v <= 30.0f; v += 0.37f) inputs.push_back(v);
  inputs.push_back(0.0f);
  inputs.push_back(-1e-30f);
  inputs.push_back(90.0f);
  inputs.push_back(-90.0f);
  for (float v : inputs) {
    // 13 copies: lanes 0..7 take the vector path, 8..12 the scalar one.
    std::vector<float> x(13, v), u(13, 1.5f);
    fn(x.data(), u.data(), x.size());
    for (size_t i = 1; i < x.size(); ++i) ASSERT_EQ(x[i], x[0]) << "input " << v << " lane " << i;
    const double w = want(v) * 1.5;
    EXPECT_NEAR(x[0], w, 1e-6 * std::fabs(w) + 1e-12) << "input " << v;
  }
}

TEST(Kernels, GeluTanhVectorAndScalarAgree) {
  expect_activation(gelu_tanh_mul, [](double g) {
    const double k = std::sqrt(2.0 / std::numbers::pi);
    return 0.5 * g * (1.0 + std::tanh(k * (g + 0.044715 * g * g * g)));
  });
}

TEST(Kernels, SiluVectorAndScalarAgree) {
  expect_activation(silu_mul, [](double g) { return g / (1.0 + std::exp(-g)); });
}

}  // namespace
}  // namespace medq
