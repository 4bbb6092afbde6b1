#include "medq/model/architecture.hpp"

#include <gtest/gtest.h>

#include "test_models.hpp"

namespace medq {
namespace {

using nlohmann::json;
using testing::codes;
using testing::dump;

template <typename T>
void expect_field(const Field<T>& f, T value, ValueSource src, const std::string& what) {
  EXPECT_EQ(f.value, value) << what;
  EXPECT_EQ(f.source, src) << what << " source " << value_source_name(f.source);
}

TEST(Architecture, MedGemma4bResolvesWithGemma3Defaults) {
  const ArchitectureResult r = resolve_architecture(testing::medgemma_4b_config());
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const Architecture& a = r.arch;
  EXPECT_EQ(a.family, Family::kGemma3);
  EXPECT_EQ(a.text_pointer, "/text_config");
  const auto F = ValueSource::kFile, D = ValueSource::kDefault;
  expect_field<uint64_t>(a.text.hidden_size, 2560, F, "hidden_size");
  expect_field<uint64_t>(a.text.num_hidden_layers, 34, F, "num_hidden_layers");
  expect_field<uint64_t>(a.text.num_attention_heads, 8, D, "num_attention_heads");
  expect_field<uint64_t>(a.text.num_key_value_heads, 4, D, "num_key_value_heads");
  expect_field<uint64_t>(a.text.head_dim, 256, D, "head_dim");
  expect_field<uint64_t>(a.text.intermediate_size, 10240, F, "intermediate_size");
  expect_field<uint64_t>(a.text.vocab_size, 262208, D, "vocab_size");
  expect_field<uint64_t>(a.text.sliding_window, 1024, F, "sliding_window");
  expect_field<uint64_t>(a.text.sliding_window_pattern, 6, D, "sliding_window_pattern");
  expect_field<bool>(a.text.attention_bias, false, F, "attention_bias");
  expect_field<double>(a.text.rms_norm_eps, 1e-6, D, "rms_norm_eps");
  EXPECT_EQ(a.text.hidden_size.pointer, "/text_config/hidden_size");
  // Every 6th layer (5, 11, 17, ...) is global; the rest slide.
  ASSERT_EQ(a.text.sliding_layers.size(), 34u);
  for (size_t i = 0; i < 34; ++i) EXPECT_EQ(a.text.sliding_layers[i], i % 6 != 5) << i;

  ASSERT_TRUE(a.vision.has_value());
  expect_field<uint64_t>(a.vision->hidden_size, 1152, F, "vision hidden_size");
  expect_field<uint64_t>(a.vision->num_hidden_layers, 27, F, "vision layers");
  expect_field<uint64_t>(a.vision->num_attention_heads, 16, F, "vision heads");
  expect_field<uint64_t>(a.vision->intermediate_size, 4304, F, "vision intermediate");
  expect_field<uint64_t>(a.vision->patch_size, 14, F, "patch_size");
  expect_field<uint64_t>(a.vision->image_size, 896, F, "image_size");
  expect_field<uint64_t>(a.vision->num_channels, 3, D, "num_channels");
  ASSERT_TRUE(a.projector.has_value());
  expect_field<uint64_t>(a.projector->mm_tokens_per_image, 256, F, "mm_tokens_per_image");
  expect_field<uint64_t>(a.projector->image_token_index, 262144, F, "image_token_index");
}

TEST(Architecture, SmallConfigsOfEverySupportedTypeResolveCleanly) {
  for (const std::string& t : testing::supported_types()) {
    const ArchitectureResult r = resolve_architecture(testing::small_config(t));
    EXPECT_TRUE(r.findings.empty()) << t << "\n" << dump(r.findings);
    EXPECT_EQ(family_name(r.arch.family), t);
    EXPECT_EQ(r.arch.text.hidden_size.value, 256u) << t;
    EXPECT_EQ(r.arch.text.head_dim.value, 64u) << t;
    EXPECT_EQ(r.arch.multimodal(), t == "gemma3") << t;
  }
}

// Defaults where keys are absent: one row per (model type, field) worth pinning.
struct DefaultRow {
  std::string name;
  std::string config;
  uint64_t head_dim, kv_heads;
  ValueSource head_dim_source, kv_source;
  bool tie;
};
void PrintTo(const DefaultRow& r, std::ostream* os) { *os << r.name; }

class ArchitectureDefaults : public ::testing::TestWithParam<DefaultRow> {};

TEST_P(ArchitectureDefaults, FillsTheLoadersDefaults) {
  const DefaultRow& row = GetParam();
  const ArchitectureResult r = resolve_architecture(json::parse(row.config));
  EXPECT_EQ(r.arch.text.head_dim.value, row.head_dim);
  EXPECT_EQ(r.arch.text.head_dim.source, row.head_dim_source);
  EXPECT_EQ(r.arch.text.num_key_value_heads.value, row.kv_heads);
  EXPECT_EQ(r.arch.text.num_key_value_heads.source, row.kv_source);
  EXPECT_EQ(r.arch.text.tie_word_embeddings.value, row.tie);
}

constexpr const char* kSizes =
    R"("hidden_size": 512, "num_hidden_layers": 2, "num_attention_heads": 8,
       "intermediate_size": 1024, "vocab_size": 1000, "rms_norm_eps": 1e-5)";

INSTANTIATE_TEST_SUITE_P(
    Rows, ArchitectureDefaults,
    ::testing::Values(
        // mlx-lm llama: kv = heads, head_dim = hidden/heads, tie defaults to True.
        DefaultRow{"llama", std::string(R"({"model_type": "llama", )") + kSizes + "}", 64, 8,
                   ValueSource::kDerived, ValueSource::kDerived, true},
        // mistral loads through mlx-lm's llama code; an explicit kv count wins.
        DefaultRow{
            "mistral",
            std::string(R"({"model_type": "mistral", "num_key_value_heads": 2, )") + kSizes + "}",
            64, 2, ValueSource::kDerived, ValueSource::kFile, true},
        DefaultRow{
            "qwen2",
            std::string(R"({"model_type": "qwen2", "num_key_value_heads": 2, )") + kSizes + "}", 64,
            2, ValueSource::kDerived, ValueSource::kFile, true},
        DefaultRow{"phi3", std::string(R"({"model_type": "phi3", )") + kSizes + "}", 64, 8,
                   ValueSource::kDerived, ValueSource::kDerived, false},
        // mlx-lm gemma3_text defaults every size (Gemma 3 1B): 4 heads, 1 kv head, head_dim 256.
        DefaultRow{"gemma3_text", R"({"model_type": "gemma3_text"})", 256, 1, ValueSource::kDefault,
                   ValueSource::kDefault, true}),
    [](const auto& row_info) { return row_info.param.name; });

TEST(Architecture, Gemma3TextUsesMlxLmDefaults) {
  const ArchitectureResult r = resolve_architecture(json{{"model_type", "gemma3_text"}});
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_EQ(r.arch.text.hidden_size.value, 1152u);
  EXPECT_EQ(r.arch.text.vocab_size.value, 262144u);
  EXPECT_EQ(r.arch.text.sliding_window.value, 512u);
  EXPECT_EQ(r.arch.text.num_hidden_layers.source, ValueSource::kDefault);
}

TEST(Architecture, NullSlidingWindowMeansNoWindow) {
  json c = testing::small_config("mistral");
  EXPECT_EQ(resolve_architecture(c).arch.text.sliding_window.value, 4096u);  // MistralConfig
  c["sliding_window"] = nullptr;
  const ArchitectureResult r = resolve_architecture(c);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_FALSE(r.arch.text.sliding_window.known());
}

TEST(Architecture, LayerTypesOverrideThePattern) {
  json c = testing::small_config("llama");
  c["layer_types"] = {"full_attention", "sliding_attention", "full_attention"};
  const ArchitectureResult r = resolve_architecture(c);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_EQ(r.arch.text.sliding_layers, (std::vector<bool>{false, true, false}));
}

TEST(Architecture, UnknownTypeReadsNestedTextConfigBestEffort) {
  json c = {{"model_type", "fancy_vlm"},
            {"text_config", {{"hidden_size", 128}, {"num_attention_heads", 4}}},
            {"vision_config", {{"hidden_size", 64}}}};
  const ArchitectureResult r = resolve_architecture(c);
  EXPECT_EQ(codes(r.findings), (std::vector<std::string>{"config.unknown_model_type"}));
  EXPECT_EQ(r.arch.family, Family::kUnknown);
  EXPECT_EQ(r.arch.text.hidden_size.value, 128u);
  EXPECT_EQ(r.arch.text.head_dim.value, 32u);  // generic: hidden / heads
  EXPECT_EQ(r.arch.text.num_key_value_heads.value, 4u);
  EXPECT_FALSE(r.arch.text.vocab_size.known());
  ASSERT_TRUE(r.arch.vision.has_value());
  EXPECT_EQ(r.arch.vision->hidden_size.value, 64u);
}

TEST(Architecture, HugeLayerCountIsReportedWithoutBuildingPerLayerTables) {
  json c = testing::small_config("llama");
  c["num_hidden_layers"] = 1'000'000'000'000ull;
  const ArchitectureResult r = resolve_architecture(c);
  EXPECT_EQ(codes(r.findings), (std::vector<std::string>{"config.invalid_value"}));
  EXPECT_TRUE(r.arch.text.sliding_layers.empty());
}

// One row per finding code resolve_architecture emits.
struct FindingRow {
  std::string name;
  std::string model_type;
  std::string patch;  // JSON merge patch applied to small_config(model_type)
  std::string code;
  std::string pointer;
  Severity severity;
};
void PrintTo(const FindingRow& r, std::ostream* os) { *os << r.name; }

class ArchitectureFindings : public ::testing::TestWithParam<FindingRow> {};

TEST_P(ArchitectureFindings, ReportsCodeAndPointer) {
  const FindingRow& row = GetParam();
  json c = testing::small_config(row.model_type);
  c.merge_patch(json::parse(row.patch));
  const ArchitectureResult r = resolve_architecture(c);
  ASSERT_EQ(r.findings.size(), 1u) << dump(r.findings);
  const Finding& f = r.findings[0];
  // Shown in --gtest_output=json, to read every row's message.
  RecordProperty("message", f.message);
  EXPECT_EQ(f.code, row.code);
  EXPECT_EQ(f.where.json_pointer, row.pointer);
  EXPECT_EQ(f.where.file, "config.json");
  EXPECT_EQ(f.severity, row.severity);
  EXPECT_NE(f.message.find("found"), std::string::npos) << f.message;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ArchitectureFindings,
    ::testing::Values(
        FindingRow{"missing_model_type", "llama", R"({"model_type": null})", "config.missing_key",
                   "/model_type", Severity::kError},
        FindingRow{"missing_required_size", "llama", R"({"vocab_size": null})",
                   "config.missing_key", "/vocab_size", Severity::kError},
        FindingRow{"qwen3_missing_head_dim", "qwen3", R"({"head_dim": null})", "config.missing_key",
                   "/head_dim", Severity::kError},
        FindingRow{"qwen3_missing_rope_theta", "qwen3", R"({"rope_theta": null})",
                   "config.missing_key", "/rope_theta", Severity::kError},
        FindingRow{"gemma3_missing_vision_config", "gemma3", R"({"vision_config": null})",
                   "config.missing_key", "/vision_config", Severity::kError},
        FindingRow{"string_size", "llama", R"({"hidden_size": "256"})", "config.wrong_type",
                   "/hidden_size", Severity::kError},
        FindingRow{"float_size", "qwen2", R"({"intermediate_size": 512.5})", "config.wrong_type",
                   "/intermediate_size", Severity::kError},
        FindingRow{"bool_tie_as_string", "phi3", R"({"tie_word_embeddings": "no"})",
                   "config.wrong_type", "/tie_word_embeddings", Severity::kError},
        FindingRow{"text_config_not_object", "gemma3", R"({"text_config": [1]})",
                   "config.wrong_type", "/text_config", Severity::kError},
        FindingRow{"zero_layers", "llama", R"({"num_hidden_layers": 0})", "config.invalid_value",
                   "/num_hidden_layers", Severity::kError},
        FindingRow{"negative_vocab", "mistral", R"({"vocab_size": -5})", "config.invalid_value",
                   "/vocab_size", Severity::kError},
        FindingRow{"negative_eps", "llama", R"({"rms_norm_eps": -1})", "config.invalid_value",
                   "/rms_norm_eps", Severity::kError},
        FindingRow{"kv_not_dividing_heads", "llama", R"({"num_key_value_heads": 3})",
                   "config.invalid_value", "/num_key_value_heads", Severity::kError},
        FindingRow{"nested_pointer", "gemma3", R"({"text_config": {"num_attention_heads": 0}})",
                   "config.invalid_value", "/text_config/num_attention_heads", Severity::kError},
        FindingRow{"vision_heads_not_dividing", "gemma3",
                   R"({"vision_config": {"num_attention_heads": 3}})", "config.invalid_value",
                   "/vision_config/num_attention_heads", Severity::kError},
        FindingRow{"mm_tokens_not_square", "gemma3", R"({"mm_tokens_per_image": 8})",
                   "config.invalid_value", "/mm_tokens_per_image", Severity::kError},
        FindingRow{"layer_types_wrong_length", "llama", R"({"layer_types": ["full_attention"]})",
                   "config.invalid_value", "/layer_types", Severity::kError},
        FindingRow{"unknown_type", "llama", R"({"model_type": "falcon"})",
                   "config.unknown_model_type", "/model_type", Severity::kWarning},
        FindingRow{"qwen2_head_dim_ignored", "qwen2", R"({"head_dim": 128})",
                   "config.ignored_value", "/head_dim", Severity::kWarning},
        FindingRow{"gemma_layer_types_vs_pattern", "gemma3_text",
                   R"({"layer_types": ["full_attention", "full_attention", "full_attention"]})",
                   "config.inconsistent_value", "/layer_types", Severity::kWarning}),
    [](const auto& row_info) { return row_info.param.name; });

TEST(Architecture, NonObjectConfigIsAFindingNotACrash) {
  const ArchitectureResult r = resolve_architecture(json::array({1, 2}));
  EXPECT_EQ(codes(r.findings), (std::vector<std::string>{"config.wrong_type"}));
}

}  // namespace
}  // namespace medq
