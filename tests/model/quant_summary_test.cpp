// describe_quant_config: the one-line quantization summary of validate and compare.
#include <gtest/gtest.h>

#include "medq/model/quantization.hpp"

namespace medq {
namespace {

using nlohmann::json;

std::string summary(const std::string& text, QuantSummaryStyle style) {
  const json config = json::parse(text);
  return describe_quant_config(&config, parse_quantization(config).config, style);
}

TEST(QuantSummary, BothStylesOfOneScheme) {
  const std::string c = R"({"quantization": {"bits": 4, "group_size": 64}})";
  EXPECT_EQ(summary(c, QuantSummaryStyle::kScheme), "affine 4-bit g64");
  EXPECT_EQ(summary(c, QuantSummaryStyle::kSpelledOut), "affine 4-bit, group 64");
}

TEST(QuantSummary, OverridesAreCountedWithTheRightPlural) {
  EXPECT_EQ(summary(R"({"quantization": {"bits": 4, "group_size": 64, "lm_head": false}})",
                    QuantSummaryStyle::kSpelledOut),
            "affine 4-bit, group 64, 1 per-module override");
  EXPECT_EQ(summary(R"({"quantization": {"bits": 4, "group_size": 64, "a": false,
                        "b": {"bits": 8, "group_size": 64}}})",
                    QuantSummaryStyle::kScheme),
            "affine 4-bit g64, 2 per-module overrides");
}

TEST(QuantSummary, AForeignMethodIsNamedNotShownAsAffine) {
  const std::string awq =
      R"({"quantization_config": {"quant_method": "awq", "bits": 4, "group_size": 128}})";
  EXPECT_EQ(summary(awq, QuantSummaryStyle::kSpelledOut), "awq (not an MLX scheme)");
  EXPECT_EQ(summary(awq, QuantSummaryStyle::kScheme), "awq (not an MLX scheme)");
  EXPECT_EQ(
      summary(R"({"quantization_config": {"quant_method": "mxfp4"}})", QuantSummaryStyle::kScheme),
      "mxfp4 (4-bit g32)");
}

TEST(QuantSummary, NoneAndUnknown) {
  EXPECT_EQ(summary(R"({"model_type": "llama"})", QuantSummaryStyle::kSpelledOut), "none");
  EXPECT_EQ(summary("[1, 2]", QuantSummaryStyle::kSpelledOut), "unknown");
  EXPECT_EQ(describe_quant_config(nullptr, std::nullopt, QuantSummaryStyle::kScheme), "unknown");
  // A mode that is not a string is a finding, not a crash; the summary says what is used.
  EXPECT_EQ(summary(R"({"quantization": {"mode": 5, "bits": 8, "group_size": 32}})",
                    QuantSummaryStyle::kSpelledOut),
            "affine 8-bit, group 32");
}

}  // namespace
}  // namespace medq
