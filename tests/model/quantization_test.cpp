#include "medq/model/quantization.hpp"

#include <gtest/gtest.h>

#include "test_models.hpp"

namespace medq {
namespace {

using nlohmann::json;
using testing::codes;
using testing::dump;

QuantConfigResult parse(const std::string& text) { return parse_quantization(json::parse(text)); }

TEST(Quantization, NoKeyMeansUnquantized) {
  const QuantConfigResult r = parse(R"({"model_type": "llama"})");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_TRUE(r.findings.empty());
}

TEST(Quantization, MlxLmDictWithIdenticalCopy) {
  const QuantConfigResult r = parse(R"({
    "quantization": {"group_size": 64, "bits": 4, "mode": "affine"},
    "quantization_config": {"group_size": 64, "bits": 4, "mode": "affine"}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_EQ(r.config->global, (QuantScheme{QuantMode::kAffine, 4, 64}));
  EXPECT_EQ(r.config->pointer, "/quantization");
}

TEST(Quantization, OlderCheckpointsWithoutModeAreAffine) {
  const QuantConfigResult r = parse(R"({"quantization": {"group_size": 32, "bits": 8}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->global, (QuantScheme{QuantMode::kAffine, 8, 32}));
}

TEST(Quantization, QuantizationConfigAloneAndNestedInTextConfig) {
  QuantConfigResult r = parse(R"({"quantization_config": {"group_size": 32, "bits": 4,
                                  "mode": "mxfp4"}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->global.mode, QuantMode::kMxfp4);
  EXPECT_EQ(r.config->pointer, "/quantization_config");
  r = parse(R"({"text_config": {"quantization_config": {"group_size": 64, "bits": 6}}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->pointer, "/text_config/quantization_config");
  EXPECT_EQ(r.config->global.bits, 6u);
}

TEST(Quantization, OverridesAreDictsOrFalseAndDictWithoutModeIsAffine) {
  const QuantConfigResult r = parse(R"({"quantization": {
      "group_size": 32, "bits": 4, "mode": "mxfp4",
      "lm_head": {"group_size": 64, "bits": 8},
      "model.layers.0.mlp.gate": {"bits": 6},
      "model.layers.1.self_attn.q_proj": false,
      "model.embed_tokens": {"mode": "nvfp4"},
      "model.layers.2.mlp.up_proj": true}})");
  ASSERT_TRUE(r.config.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const QuantConfig& q = *r.config;
  // An override entry applies whether or not .scales exist (the loader returns it as is).
  EXPECT_EQ(q.resolve_scheme("lm_head", false), (QuantScheme{QuantMode::kAffine, 8, 64}));
  EXPECT_EQ(q.resolve_scheme("model.layers.0.mlp.gate", true),
            (QuantScheme{QuantMode::kAffine, 6, 64}));  // affine's default group, not the global
  EXPECT_EQ(q.resolve_scheme("model.layers.1.self_attn.q_proj", true), std::nullopt);
  EXPECT_EQ(q.resolve_scheme("model.embed_tokens", true), default_scheme(QuantMode::kNvfp4));
  EXPECT_EQ(q.resolve_scheme("model.layers.2.mlp.up_proj", true), q.global);
  // No entry: global scheme iff .scales exist and the module can be quantized.
  EXPECT_EQ(q.resolve_scheme("model.layers.3.mlp.up_proj", true), q.global);
  EXPECT_EQ(q.resolve_scheme("model.layers.3.mlp.up_proj", false), std::nullopt);
  EXPECT_EQ(q.resolve_scheme("model.norm", true, false), std::nullopt);
}

struct BadRow {
  std::string name, config, code, pointer;
};
void PrintTo(const BadRow& r, std::ostream* os) { *os << r.name; }
class QuantizationFindings : public ::testing::TestWithParam<BadRow> {};

TEST_P(QuantizationFindings, ReportsCodeAndPointer) {
  const BadRow& row = GetParam();
  const QuantConfigResult r = parse(row.config);
  ASSERT_EQ(r.findings.size(), 1u) << dump(r.findings);
  EXPECT_EQ(r.findings[0].code, row.code);
  // Shown in --gtest_output=json, to read every row's message.
  RecordProperty("message", r.findings[0].message);
  EXPECT_EQ(r.findings[0].where.json_pointer, row.pointer);
  EXPECT_EQ(r.findings[0].where.file, "config.json");
}

INSTANTIATE_TEST_SUITE_P(
    Rows, QuantizationFindings,
    ::testing::Values(
        BadRow{"bits_7", R"({"quantization": {"group_size": 64, "bits": 7}})", "quant.invalid_bits",
               "/quantization/bits"},
        BadRow{"mxfp4_bits_8",
               R"({"quantization": {"group_size": 32, "bits": 8, "mode": "mxfp4"}})",
               "quant.invalid_bits", "/quantization/bits"},
        BadRow{"group_48", R"({"quantization": {"group_size": 48, "bits": 4}})",
               "quant.invalid_group_size", "/quantization/group_size"},
        BadRow{"nvfp4_group_32",
               R"({"quantization": {"group_size": 32, "bits": 4, "mode": "nvfp4"}})",
               "quant.invalid_group_size", "/quantization/group_size"},
        BadRow{"override_bits_1",
               R"({"quantization": {"group_size": 64, "bits": 4, "lm_head": {"bits": 1}}})",
               "quant.invalid_bits", "/quantization/lm_head/bits"},
        BadRow{"mode_int4", R"({"quantization": {"group_size": 64, "bits": 4, "mode": "int4"}})",
               "quant.invalid_mode", "/quantization/mode"},
        BadRow{"bits_string", R"({"quantization": {"group_size": 64, "bits": "4"}})",
               "quant.wrong_type", "/quantization/bits"},
        BadRow{"not_a_dict", R"({"quantization": 4})", "quant.wrong_type", "/quantization"},
        BadRow{"missing_bits", R"({"quantization": {"group_size": 64}})", "quant.missing_key",
               "/quantization/bits"},
        BadRow{"copies_disagree",
               R"({"quantization": {"group_size": 64, "bits": 4},
                   "quantization_config": {"group_size": 64, "bits": 8}})",
               "quant.config_mismatch", "/quantization_config"},
        BadRow{"awq", R"({"quantization_config": {"quant_method": "awq", "bits": 4}})",
               "quant.foreign_method", "/quantization_config/quant_method"}),
    [](const auto& row_info) { return row_info.param.name; });

TEST(Quantization, ForeignMethodsMlxLmMaps) {
  QuantConfigResult r = parse(R"({"quantization_config": {"quant_method": "mxfp4"}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->global, default_scheme(QuantMode::kMxfp4));
  r = parse(R"({"quantization_config": {"quant_method": "compressed-tensors",
                                        "format": "nvfp4-pack-quantized"}})");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->global, default_scheme(QuantMode::kNvfp4));
}

TEST(Quantization, DefaultsPerMode) {
  EXPECT_EQ(default_scheme(QuantMode::kAffine), (QuantScheme{QuantMode::kAffine, 4, 64}));
  EXPECT_EQ(default_scheme(QuantMode::kMxfp4), (QuantScheme{QuantMode::kMxfp4, 4, 32}));
  EXPECT_EQ(default_scheme(QuantMode::kMxfp8), (QuantScheme{QuantMode::kMxfp8, 8, 32}));
  EXPECT_EQ(default_scheme(QuantMode::kNvfp4), (QuantScheme{QuantMode::kNvfp4, 4, 16}));
  EXPECT_EQ(all_schemes().size(), 6u * 3u + 3u);
  EXPECT_FALSE(scheme_supported({QuantMode::kAffine, 7, 64}));
  EXPECT_FALSE(scheme_supported({QuantMode::kMxfp4, 4, 64}));
}

TEST(Quantization, UnpackedColumnsForEveryBitWidth) {
  // 2560 inputs: packed columns are 2560 * bits / 32.
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    EXPECT_EQ(unpacked_cols(2560 * bits / 32, bits), 2560u) << bits;
  }
  EXPECT_EQ(unpacked_cols(7, 3), std::nullopt);  // 224 / 3 is not whole
  EXPECT_EQ(unpacked_cols(UINT64_MAX, 4), std::nullopt);
  EXPECT_EQ(unpacked_cols(10, 0), std::nullopt);
  const auto s = logical_shape(std::vector<uint64_t>{8, 2048, 320}, 4);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, (std::vector<uint64_t>{8, 2048, 2560}));
  EXPECT_EQ(logical_shape(std::vector<uint64_t>{320}, 4), std::nullopt);
}

TEST(Quantization, EffectiveBitsPerWeightMatchesFormatsB8) {
  struct Row {
    QuantScheme s;
    Dtype scale;
    double bpw;
  };
  for (const Row& r : {Row{{QuantMode::kAffine, 4, 64}, Dtype::BF16, 4.5},
                       Row{{QuantMode::kAffine, 4, 32}, Dtype::F16, 5.0},
                       Row{{QuantMode::kAffine, 4, 128}, Dtype::BF16, 4.25},
                       Row{{QuantMode::kAffine, 3, 64}, Dtype::BF16, 3.5},
                       Row{{QuantMode::kAffine, 2, 64}, Dtype::BF16, 2.5},
                       Row{{QuantMode::kAffine, 8, 64}, Dtype::BF16, 8.5},
                       Row{{QuantMode::kAffine, 4, 64}, Dtype::F32, 5.0},
                       Row{default_scheme(QuantMode::kMxfp4), Dtype::U8, 4.25},
                       Row{default_scheme(QuantMode::kNvfp4), Dtype::U8, 4.5},
                       Row{default_scheme(QuantMode::kMxfp8), Dtype::U8, 8.25}}) {
    EXPECT_DOUBLE_EQ(effective_bits_per_weight(r.s, r.scale), r.bpw) << describe_scheme(r.s);
  }
}

TEST(Quantization, ConsistentSchemesAreAmbiguousUntilTheInputSizeIsKnown) {
  // 4-bit g64, 8-bit g32 and 2-bit g128 all give packed/scales = 8 (docs/formats.md §B.2).
  const uint64_t packed = 2560 * 4 / 32, scales = 2560 / 64;
  const auto all = consistent_schemes(packed, scales, false);
  EXPECT_EQ(all.size(), 3u);
  const auto one = consistent_schemes(packed, scales, false, 2560);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], (QuantScheme{QuantMode::kAffine, 4, 64}));
  const auto fp = consistent_schemes(2560 * 4 / 32, 2560 / 32, true, 2560);
  ASSERT_EQ(fp.size(), 1u);
  EXPECT_EQ(fp[0].mode, QuantMode::kMxfp4);
  EXPECT_TRUE(consistent_schemes(100, 3, false).empty());
}

}  // namespace
}  // namespace medq
