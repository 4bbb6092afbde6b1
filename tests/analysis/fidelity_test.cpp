// Fidelity numbers checked against an independent computation: tests/analysis/
// fidelity_reference.py (Debian's python3-numpy) parses the safetensors files, unpacks the bits
// and decodes the fp formats itself, and prints the per-tensor sums. Both must agree to 1e-4
// relative for every tensor, every bit width and every mode.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "medq/analysis/fidelity.hpp"
#include "medq/check/validate.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::numpy_available;
using testing::TempDir;

constexpr const char* kPython = "/usr/bin/python3";

void expect_close(double medq, double numpy, const std::string& what) {
  const double tol = 1e-4 * std::max(std::fabs(numpy), 1e-12) + 1e-12;
  EXPECT_NEAR(medq, numpy, tol) << what;
}

struct Case {
  const char* name;
  synth::QuantPlan plan;
  bool llama = false;
};

class FidelityVsNumpy : public ::testing::TestWithParam<int> {};

std::vector<Case> cases() {
  const synth::Arch g = synth::tiny_gemma3();
  return {
      {"affine2_g64", synth::plan_affine(2, 64)},
      {"affine3_g32", synth::plan_affine(3, 32)},
      {"affine4_g64", synth::plan_affine(4, 64)},
      {"affine5_g128", synth::plan_affine(5, 128)},
      {"affine6_g64", synth::plan_affine(6, 64)},
      {"affine8_g32", synth::plan_affine(8, 32)},
      {"mxfp4", synth::plan_fp("mxfp4")},
      {"mxfp8", synth::plan_fp("mxfp8")},
      {"nvfp4", synth::plan_fp("nvfp4")},
      {"mixed_3_6", synth::plan_mixed("mixed_3_6", g, {})},
      {"llama_affine4", synth::plan_affine(4, 64), true},
  };
}

TEST_P(FidelityVsNumpy, EveryTensorAgrees) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy not found (python3-numpy)";
  const Case c = cases()[static_cast<size_t>(GetParam())];
  SCOPED_TRACE(c.name);
  TempDir tmp;
  const synth::Arch arch = c.llama ? synth::tiny_llama() : synth::tiny_gemma3();
  const fs::path ref = tmp.path() / "ref", var = tmp.path() / "var";
  fs::create_directories(ref);
  fs::create_directories(var);
  synth::write_checkpoint(ref, arch, synth::QuantPlan{}, {});
  synth::write_checkpoint(var, arch, c.plan, {});

  Validation rv = validate_model(ref), vv = validate_model(var);
  ASSERT_EQ(count_severity(vv.findings, Severity::kError), 0u);
  VariantFidelity f = measure_fidelity(rv, vv, "ref", "var");
  EXPECT_TRUE(f.read_errors.empty());
  EXPECT_TRUE(f.skipped.empty());

  const std::string script = std::string(MEDQ_SOURCE_DIR) + "/tests/analysis/fidelity_reference.py";
  const std::string out = testing::command_output(std::string(kPython) + " " + script + " " +
                                                  ref.string() + " " + var.string());
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out.substr(0, 500);
  ASSERT_EQ(j.size(), f.tensors.size());
  size_t quantized = 0;
  for (const auto& t : f.tensors) {
    ASSERT_TRUE(j.contains(t.name)) << t.name;
    const auto& n = j[t.name];
    expect_close(t.sums.ref2, n["ref2"].get<double>(), t.name + " sum w^2");
    expect_close(t.sums.var2, n["var2"].get<double>(), t.name + " sum w'^2");
    expect_close(t.sums.dot, n["dot"].get<double>(), t.name + " sum w w'");
    expect_close(t.sums.err2, n["err2"].get<double>(), t.name + " sum (w-w')^2");
    expect_close(t.sums.max_abs, n["max_abs"].get<double>(), t.name + " max |w-w'|");
    if (t.variant_storage != t.reference_storage) ++quantized;
  }
  EXPECT_GT(quantized, 0u);
  // Quantization loses something, and not everything.
  ASSERT_TRUE(f.overall.mean_rel_rms.has_value());
  EXPECT_GT(*f.overall.mean_rel_rms, 0.0);
  EXPECT_LT(*f.overall.mean_rel_rms, 0.5);
}

INSTANTIATE_TEST_SUITE_P(Schemes, FidelityVsNumpy, ::testing::Range(0, 11),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(cases()[static_cast<size_t>(i.param)].name);
                         });

TEST(Fidelity, MoreBitsMeanLessError) {
  TempDir tmp;
  const synth::Arch arch = synth::tiny_gemma3();
  const fs::path ref = tmp.path() / "bf16";
  fs::create_directories(ref);
  synth::write_checkpoint(ref, arch, synth::QuantPlan{}, {});
  Validation rv = validate_model(ref);
  double previous = 1.0;
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    const fs::path dir = tmp.path() / std::to_string(bits);
    fs::create_directories(dir);
    synth::write_checkpoint(dir, arch, synth::plan_affine(bits, 64), {});
    VariantFidelity f = measure_fidelity(rv, validate_model(dir), "bf16", "v");
    ASSERT_TRUE(f.overall.mean_rel_rms.has_value());
    EXPECT_LT(*f.overall.mean_rel_rms, previous) << bits;
    previous = *f.overall.mean_rel_rms;
    // Parts left in bf16 (vision tower, projector) are exact.
    EXPECT_EQ(f.parts.at(ModelPart::kVision).pooled.err2, 0.0);
  }
}

TEST(Fidelity, IdenticalModelsAreExactAndMissingTensorsAreListed) {
  TempDir tmp;
  const fs::path a = tmp.path() / "a", b = tmp.path() / "b";
  fs::create_directories(a);
  fs::create_directories(b);
  synth::write_checkpoint(a, synth::tiny_llama(), synth::plan_affine(4, 64), {});
  synth::write_checkpoint(b, synth::tiny_gemma3(), synth::plan_affine(4, 64), {});
  Validation va = validate_model(a);
  VariantFidelity same = measure_fidelity(va, va, "a", "a");
  EXPECT_EQ(same.overall.pooled.err2, 0.0);
  EXPECT_FALSE(same.overall.pooled.snr_db().has_value());  // infinite
  EXPECT_DOUBLE_EQ(*same.overall.mean_cosine, 1.0);
  VariantFidelity other = measure_fidelity(va, validate_model(b), "a", "b");
  EXPECT_FALSE(other.skipped.empty());
}

// An MLX variant against the transformers original it was converted from: tensors meet by
// meaning, the OIHW patch embedding is transposed to the variant's OHWI, and MLX's lm_head copy
// meets the tied original's embedding. The same weights in both layouts compare exactly.
TEST(Fidelity, MlxVariantAgainstTransformersOriginal) {
  TempDir tmp;
  const fs::path hf = tmp.path() / "hf", mlx = tmp.path() / "mlx", q4 = tmp.path() / "q4";
  for (const fs::path& d : {hf, mlx, q4}) fs::create_directories(d);
  synth::Arch original = synth::tiny_gemma3();
  original.layout = synth::Layout::Transformers;
  synth::write_checkpoint(hf, original, synth::QuantPlan{}, {});
  synth::write_checkpoint(mlx, synth::tiny_gemma3(), synth::QuantPlan{}, {});
  synth::write_checkpoint(q4, synth::tiny_gemma3(), synth::plan_affine(4, 64), {});
  const Validation ref = validate_model(hf);
  ASSERT_EQ(ref.layout.kind, LayoutKind::kTransformers);

  const VariantFidelity same = measure_fidelity(ref, validate_model(mlx), "hf", "mlx");
  EXPECT_TRUE(same.skipped.empty()) << same.skipped.front().first;
  EXPECT_TRUE(same.read_errors.empty());
  EXPECT_EQ(same.overall.tensors, 68u);  // 67 in the original, the lm_head against its embedding
  EXPECT_EQ(same.overall.pooled.err2, 0.0);

  const VariantFidelity four = measure_fidelity(ref, validate_model(q4), "hf", "q4");
  EXPECT_TRUE(four.skipped.empty());
  EXPECT_TRUE(four.read_errors.empty());
  bool patch = false;
  for (const TensorFidelity& t : four.tensors) {
    if (t.name.ends_with("patch_embedding.weight")) {
      patch = true;
      EXPECT_EQ(t.sums.err2, 0.0);  // kept in float by mlx-vlm: transposed, it is the same
    }
    if (t.name.ends_with("lm_head.weight")) {
      ASSERT_TRUE(t.sums.rel_rms().has_value());
      EXPECT_LT(*t.sums.rel_rms(), 0.2);  // 4-bit error, not the error of unrelated weights
    }
  }
  EXPECT_TRUE(patch);
}

}  // namespace
}  // namespace medq
