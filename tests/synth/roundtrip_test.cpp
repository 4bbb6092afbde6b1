// End to end through the files: the bytes a tiny checkpoint holds, located with medq's own
// safetensors reader, decode (with a test-side decoder) back to the seeded weights: exactly for
// bf16 tensors, within the affine error bound for quantized ones. This catches data written at
// the wrong offset, in the wrong order or with the wrong packing, which header checks cannot.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "arch.hpp"
#include "bf16.hpp"
#include "checkpoint.hpp"
#include "medq/formats/safetensors.hpp"
#include "quant_plan.hpp"
#include "test_util.hpp"
#include "weights.hpp"

namespace medq::synth {
namespace {

struct Located {
  TensorInfo info;
  const uint8_t* data;
};

std::map<std::string, Located> locate(const std::string& file_bytes, const SafetensorsHeader& h) {
  std::map<std::string, Located> m;
  for (const TensorInfo& t : h.tensors)
    m[t.name] = {t, reinterpret_cast<const uint8_t*>(file_bytes.data()) + h.absolute_offset(t)};
  return m;
}

float bf16_at(const uint8_t* p, uint64_t i) {
  return bf16_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
}

// Value j of an LSB-first stream, read bit by bit from little-endian bytes.
unsigned code_at(const uint8_t* p, unsigned bits, uint64_t j) {
  unsigned v = 0;
  for (unsigned b = 0; b < bits; ++b) {
    const uint64_t k = j * bits + b;
    v |= ((p[k / 8] >> (k % 8)) & 1u) << b;
  }
  return v;
}

class FileRoundTrip : public ::testing::TestWithParam<unsigned> {};

TEST_P(FileRoundTrip, DecodedBytesMatchTheSeededWeights) {
  const unsigned bits = GetParam();
  const Arch arch = tiny_gemma3();
  const QuantPlan plan = bits ? plan_affine(bits, 64) : QuantPlan{};
  test::TempDir tmp;
  GenerateOptions o;
  o.seed = 7;
  write_checkpoint(tmp.path(), arch, plan, o);
  const std::string bytes = test::read_file(tmp.path() / "model.safetensors");
  const SafetensorsResult r = read_safetensors(tmp.path() / "model.safetensors", "m");
  ASSERT_TRUE(r.ok());
  const auto t = locate(bytes, *r.header);

  size_t checked = 0;
  for (const Param& p : build_params(arch)) {
    const std::vector<float> want = random_values(p, o.seed);
    const std::optional<QuantSpec> q = module_quant(plan, p);
    if (!q) {
      const Located& l = t.at(p.name);
      ASSERT_EQ(l.info.dtype, Dtype::BF16);
      for (uint64_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(bf16_at(l.data, i), want[i]) << p.name << " element " << i;
      ++checked;
      continue;
    }
    const Located& w = t.at(p.module + ".weight");
    const Located& s = t.at(p.module + ".scales");
    const Located& b = t.at(p.module + ".biases");
    const uint64_t cols = p.shape.back();
    const uint64_t row_bytes = cols * bits / 8;
    double worst = 0;  // in steps
    for (uint64_t i = 0; i < want.size(); ++i) {
      const uint64_t row = i / cols, col = i % cols, g = i / 64;
      const unsigned c = code_at(w.data + row * row_bytes, bits, col);
      const float sc = bf16_at(s.data, g), bi = bf16_at(b.data, g);
      const double err = std::fabs(sc * static_cast<float>(c) + bi - want[i]) / std::fabs(sc);
      worst = std::max(worst, err);
    }
    // Half a step plus the bf16 rounding of the stored scale, and the edge-rule clamp at the
    // far end of a group (see quantize_test.cpp): never more than 1 + 2^-8 * (2^bits - 1).
    EXPECT_LE(worst, 1.0 + std::ldexp(1.0, -8) * ((1 << bits) - 1)) << p.module;
    ++checked;
  }
  EXPECT_EQ(checked, build_params(arch).size());
}

INSTANTIATE_TEST_SUITE_P(Bits, FileRoundTrip, ::testing::Values(0u, 2u, 3u, 4u, 5u, 6u, 8u),
                         [](const auto& i) {
                           return i.param ? std::to_string(i.param) + "bit" : std::string("bf16");
                         });

}  // namespace
}  // namespace medq::synth
