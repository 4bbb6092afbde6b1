#include "medq/check/quant_checks.hpp"

#include "medq/check/config_checks.hpp"
#include "medq/check/config_quant.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "../model/test_models.hpp"

namespace medq {
namespace {

using nlohmann::json;
using testing::codes;
using testing::dump;
using testing::find_tensor;
using testing::tensor;

struct Model {
  Architecture arch;
  std::optional<QuantConfig> quant;
  std::vector<TensorInfo> tensors;
};

/// A model whose tensors are packed with `stored` and whose config says `config` (both
/// optional, so either side can claim "unquantized").
Model make(const std::string& type, std::optional<QuantScheme> stored,
           std::optional<QuantScheme> config) {
  Model m;
  const ArchitectureResult r = resolve_architecture(testing::small_config(type));
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  m.arch = r.arch;
  if (config) {
    QuantConfig c;
    c.global = *config;
    c.pointer = "/quantization";
    m.quant = c;
  }
  m.tensors = testing::model_tensors(m.arch, stored);
  return m;
}

Findings run(const Model& m) { return check_quantization(m.arch, m.tensors, m.quant); }

const QuantScheme kQ4{QuantMode::kAffine, 4, 64};

TEST(QuantChecks, CleanModelsAtEverySupportedSchemeHaveNoFindings) {
  for (const std::string& t : testing::supported_types()) {
    for (const QuantScheme& s : all_schemes()) {
      const Model m = make(t, s, s);
      const Findings f = run(m);
      EXPECT_TRUE(f.empty()) << t << " " << describe_scheme(s) << "\n" << dump(f);
    }
    EXPECT_TRUE(run(make(t, std::nullopt, std::nullopt)).empty()) << t;
  }
}

TEST(QuantChecks, ConfigWrongNamesTheSchemeTheShapesFit) {
  // Stored 8-bit g32, config says 4-bit g64: packed and scales agree with each other under both,
  // only the architecture's input size tells them apart.
  const Model m =
      make("llama", QuantScheme{QuantMode::kAffine, 8, 32}, QuantScheme{QuantMode::kAffine, 4, 64});
  const Findings f = run(m);
  ASSERT_EQ(f.size(), 1u) << dump(f);
  EXPECT_EQ(f[0].code, "quant.scheme_mismatch");
  RecordProperty("message", f[0].message);
  EXPECT_EQ(f[0].where.file, "config.json");
  EXPECT_EQ(f[0].where.json_pointer, "/quantization");
  EXPECT_EQ(f[0].where.tensor, "model.embed_tokens.weight");
  EXPECT_NE(f[0].message.find("the shapes fit affine 8-bit g32"), std::string::npos)
      << f[0].message;
  EXPECT_EQ(f[0].message.find("2-bit"), std::string::npos) << f[0].message;
  EXPECT_NE(f[0].message.find("22 modules fail the same way"), std::string::npos)
      << f[0].message;  // embed + 3 layers x 7 linears
}

TEST(QuantChecks, PackedWithoutConfigSuggestsTheScheme) {
  const Model m = make("qwen3", QuantScheme{QuantMode::kAffine, 6, 128}, std::nullopt);
  const Findings f = run(m);
  ASSERT_EQ(codes(f), (std::vector<std::string>{"quant.packed_without_config"})) << dump(f);
  RecordProperty("message", f[0].message);
  EXPECT_NE(f[0].message.find("affine 6-bit g128"), std::string::npos) << f[0].message;
  EXPECT_NE(f[0].message.find("22 modules"), std::string::npos) << f[0].message;
}

TEST(QuantChecks, MlxVlmGemma3KeepsVisionFloat) {
  Model m = make("gemma3", kQ4, kQ4);
  EXPECT_EQ(find_tensor(m.tensors, "vision_tower.vision_model.encoder.layers.0.mlp.fc1.scales"),
            nullptr);
  EXPECT_NE(find_tensor(m.tensors, "language_model.model.layers.0.mlp.gate_proj.scales"), nullptr);
  EXPECT_TRUE(run(m).empty()) << dump(run(m));
}

TEST(QuantChecks, NoTensorsAtAllIsNotAnUnquantizedModel) {
  // When no weight file could be read there is nothing to hold the config against: neither
  // quant.config_without_packed nor one quant.override_unknown_module per override.
  Model m = make("llama", kQ4, kQ4);
  m.quant->overrides["model.layers.0.mlp.down_proj"] = QuantScheme{QuantMode::kAffine, 8, 64};
  m.quant->overrides["model.layers.1.mlp.up_proj"] = std::nullopt;
  m.tensors.clear();
  EXPECT_TRUE(run(m).empty()) << dump(run(m));
}

struct Row {
  std::string name;
  std::string model_type;
  QuantScheme stored;
  std::function<void(Model&)> defect;
  std::string code;
  std::string tensor;
  std::string pointer;
  Severity severity = Severity::kError;
};
void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class QuantCheckFindings : public ::testing::TestWithParam<Row> {};

TEST_P(QuantCheckFindings, ReportsOneFindingWithCodeAndLocation) {
  const Row& row = GetParam();
  Model m = make(row.model_type, row.stored, row.stored);
  row.defect(m);
  const Findings f = run(m);
  ASSERT_EQ(f.size(), 1u) << dump(f);
  EXPECT_EQ(f[0].code, row.code);
  // Shown in --gtest_output=json, to read every row's message.
  RecordProperty("message", f[0].message);
  EXPECT_EQ(f[0].where.tensor, row.tensor);
  EXPECT_EQ(f[0].where.json_pointer, row.pointer);
  EXPECT_EQ(f[0].severity, row.severity);
  EXPECT_NE(f[0].message.find("found"), std::string::npos) << f[0].message;
}

const QuantScheme kMx4 = default_scheme(QuantMode::kMxfp4);
const std::string kDown = "model.layers.0.mlp.down_proj";
const std::string kUp = "model.layers.1.mlp.up_proj";

void set_override(Model& m, const std::string& path, std::optional<QuantScheme> s) {
  m.quant->overrides[path] = s;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, QuantCheckFindings,
    ::testing::Values(
        Row{"config_without_packed", "llama", kQ4,
            [](Model& m) {
              m.tensors = testing::model_tensors(m.arch);  // float tensors, config still 4-bit
            },
            "quant.config_without_packed", "", "/quantization", Severity::kWarning},
        Row{"packed_shape_mismatch", "qwen2", kQ4,
            [](Model& m) { m.quant->global.bits = 3; },  // 3-bit: 32*32/3 is not whole
            "quant.packed_shape_mismatch", "model.embed_tokens.weight", "/quantization"},
        Row{"override_mismatch", "llama", kQ4,
            [](Model& m) {
              set_override(m, kDown, QuantScheme{QuantMode::kAffine, 8, 64});
            },
            "quant.override_mismatch", kDown + ".weight", "/quantization/" + kDown},
        Row{"override_contradicted", "phi3", kQ4,
            [](Model& m) { set_override(m, kDown, std::nullopt); }, "quant.override_contradicted",
            kDown + ".weight", "/quantization/" + kDown},
        Row{"override_not_packed", "mistral", kQ4,
            [](Model& m) {
              for (const char* s : {".weight", ".scales", ".biases"}) {
                testing::erase_tensor(m.tensors, kUp + s);
              }
              m.tensors.push_back(tensor(kUp + ".weight", Dtype::BF16, {512, 256}));
              set_override(m, kUp, QuantScheme{QuantMode::kAffine, 8, 64});
            },
            "quant.override_not_packed", kUp + ".weight", "/quantization/" + kUp},
        Row{"override_unknown_module", "qwen3", kQ4,
            [](Model& m) { set_override(m, "model.layers.9.mlp.gate", kQ4); },
            "quant.override_unknown_module", "", "/quantization/model.layers.9.mlp.gate",
            Severity::kWarning},
        Row{"scales_dtype_affine", "llama", kQ4,
            [](Model& m) {
              find_tensor(m.tensors, kUp + ".scales")->dtype = Dtype::I32;
              find_tensor(m.tensors, kUp + ".biases")->dtype = Dtype::I32;
            },
            "quant.scales_dtype", kUp + ".scales", ""},
        Row{"scales_dtype_fp", "gemma3_text", kMx4,
            [](Model& m) { find_tensor(m.tensors, kUp + ".scales")->dtype = Dtype::BF16; },
            "quant.scales_dtype", kUp + ".scales", ""},
        Row{"biases_dtype", "qwen2", kQ4,
            [](Model& m) { find_tensor(m.tensors, kUp + ".biases")->dtype = Dtype::F32; },
            "quant.biases_dtype", kUp + ".biases", ""},
        // One module's scales are F16 while every other module's scales and biases are BF16:
        // the scales are the odd one out, not the biases.
        Row{"scales_dtype_odd_one_out", "qwen2", kQ4,
            [](Model& m) { find_tensor(m.tensors, kUp + ".scales")->dtype = Dtype::F16; },
            "quant.scales_dtype", kUp + ".scales", ""},
        Row{"biases_shape", "qwen2", kQ4,
            [](Model& m) {
              find_tensor(m.tensors, kUp + ".biases")->shape = {512, 3};
            },
            "quant.scales_shape", kUp + ".biases", ""},
        Row{"missing_biases", "llama", kQ4,
            [](Model& m) { testing::erase_tensor(m.tensors, kUp + ".biases"); },
            "quant.missing_biases", kUp + ".scales", ""},
        Row{"unexpected_biases", "llama", kMx4,
            [](Model& m) {
              m.tensors.push_back(tensor(kUp + ".biases", Dtype::BF16, {512, 8}));
            },
            "quant.unexpected_biases", kUp + ".biases", ""},
        Row{"weight_dtype", "qwen3", kQ4,
            [](Model& m) { find_tensor(m.tensors, kUp + ".weight")->dtype = Dtype::F16; },
            "quant.weight_dtype", kUp + ".weight", ""},
        Row{"scales_rows", "qwen3", kQ4,
            [](Model& m) {
              find_tensor(m.tensors, kUp + ".scales")->shape = {256, 4};
              find_tensor(m.tensors, kUp + ".biases")->shape = {256, 4};
            },
            "quant.scales_shape", kUp + ".scales", ""},
        Row{"orphan_scales", "llama", kQ4,
            [](Model& m) { testing::erase_tensor(m.tensors, kUp + ".weight"); },
            "quant.orphan_tensor", kUp + ".scales", ""},
        Row{"orphan_biases", "llama", kQ4,
            [](Model& m) { m.tensors.push_back(tensor("model.norm.biases", Dtype::BF16, {4})); },
            "quant.orphan_tensor", "model.norm.biases", ""},
        Row{"missing_scales", "phi3", kQ4,
            [](Model& m) {
              testing::erase_tensor(m.tensors, "model.layers.1.mlp.gate_up_proj.scales");
              testing::erase_tensor(m.tensors, "model.layers.1.mlp.gate_up_proj.biases");
            },
            "quant.missing_scales", "model.layers.1.mlp.gate_up_proj.weight", ""},
        Row{"norm_not_quantizable", "gemma3", kQ4,
            [](Model& m) {
              m.tensors.push_back(tensor("language_model.model.norm.scales", Dtype::BF16, {4}));
              m.tensors.push_back(tensor("language_model.model.norm.biases", Dtype::BF16, {4}));
            },
            "quant.not_quantizable", "language_model.model.norm.scales", ""}),
    [](const auto& row_info) { return row_info.param.name; });

TEST(QuantChecks, ScalesAndBiasesThatDisagreeNameTheOddOneWithTheCount) {
  Model m = make("qwen2", kQ4, kQ4);
  const std::string up = "model.layers.0.mlp.up_proj";
  find_tensor(m.tensors, up + ".scales")->dtype = Dtype::F16;
  Findings f = run(m);
  ASSERT_EQ(f.size(), 1u) << dump(f);
  EXPECT_EQ(f[0].code, "quant.scales_dtype");
  EXPECT_EQ(f[0].where.tensor, up + ".scales");
  const size_t others =
      std::count_if(m.tensors.begin(), m.tensors.end(),
                    [](const TensorInfo& t) { return t.name.ends_with(".scales"); }) -
      1;
  EXPECT_EQ(f[0].message,
            "scales are F16 while their biases are BF16, as are the scales and "
            "biases of " +
                std::to_string(others) + " other modules (0 use F16)");
  // The same module with its biases changed instead: the biases are named.
  m = make("qwen2", kQ4, kQ4);
  find_tensor(m.tensors, up + ".biases")->dtype = Dtype::F16;
  f = run(m);
  ASSERT_EQ(f.size(), 1u) << dump(f);
  EXPECT_EQ(f[0].code, "quant.biases_dtype");
  EXPECT_EQ(f[0].where.tensor, up + ".biases");
  EXPECT_EQ(f[0].message,
            "biases are F16 while their scales are BF16, as are the scales and "
            "biases of " +
                std::to_string(others) + " other modules (0 use F16)");
}

TEST(QuantChecks, OverrideThatMatchesTheShapesIsClean) {
  // A mixed recipe: lm_head at 6 bits via an override, the rest at the 4-bit global.
  Model m = make("phi3", kQ4, kQ4);
  for (const char* s : {".weight", ".scales", ".biases"})
    testing::erase_tensor(m.tensors, std::string("lm_head") + s);
  testing::add_packed(m.tensors, "lm_head", {512, 256}, {QuantMode::kAffine, 6, 64});
  set_override(m, "lm_head", QuantScheme{QuantMode::kAffine, 6, 64});
  EXPECT_TRUE(run(m).empty()) << dump(run(m));
  set_override(m, "lm_head", std::nullopt);
  EXPECT_EQ(codes(run(m)), (std::vector<std::string>{"quant.override_contradicted"}));
}

TEST(QuantChecks, UnknownArchitectureStillChecksInternalConsistency) {
  const ArchitectureResult r = resolve_architecture(json{{"model_type", "falcon"}});
  std::vector<TensorInfo> ts;
  testing::add_packed(ts, "transformer.h.0.mlp.dense", {256, 512}, kQ4);
  QuantConfig q;
  q.global = kQ4;
  q.pointer = "/quantization";
  EXPECT_TRUE(check_quantization(r.arch, ts, q).empty());
  q.global.bits = 8;
  EXPECT_EQ(codes(check_quantization(r.arch, ts, q)),
            (std::vector<std::string>{"quant.packed_shape_mismatch"}));
}

}  // namespace
}  // namespace medq

namespace medq {
namespace {

// Every config key set to every kind of hostile value, with hostile tensors: the resolution and
// both checks must return findings, never throw or crash (run under ASan/UBSan too).
TEST(QuantChecks, HostileConfigsAndTensorsNeverThrow) {
  const std::vector<json> bad = {nullptr,        -1,   0,          json(1e30), "x", json::array(),
                                 json::object(), true, UINT64_MAX, 1ull << 33};
  const std::vector<std::string> keys = {
      "hidden_size",  "num_hidden_layers",   "num_attention_heads", "num_key_value_heads",
      "head_dim",     "intermediate_size",   "vocab_size",          "sliding_window_pattern",
      "layer_types",  "tie_word_embeddings", "rms_norm_eps",        "image_size",
      "patch_size",   "mm_tokens_per_image", "quantization",        "text_config",
      "vision_config"};
  std::vector<TensorInfo> hostile = {
      tensor("model.embed_tokens.weight", Dtype::U32, {}),
      tensor("model.embed_tokens.scales", Dtype::U8, {0}),
      tensor("model.layers.0.mlp.up_proj.weight", Dtype::U32, {UINT64_MAX, UINT64_MAX}),
      tensor("model.layers.0.mlp.up_proj.scales", Dtype::BF16, {UINT64_MAX, 0}),
      tensor("model.layers.18446744073709551615.mlp.up_proj.weight", Dtype::BF16, {1}),
      tensor(".scales", Dtype::BF16, {1, 1}),
      tensor("lm_head.biases", Dtype::BF16, {}),
  };
  size_t runs = 0;
  for (const std::string& type : testing::supported_types()) {
    for (const std::string& key : keys) {
      for (const json& v : bad) {
        json c = testing::small_config(type);
        c[key] = v;
        if (type == "gemma3" && c["text_config"].is_object()) c["text_config"][key] = v;
        if (type == "gemma3" && c["vision_config"].is_object()) c["vision_config"][key] = v;
        c["quantization"] = {{"bits", v}, {"group_size", v}, {"mode", v}, {"lm_head", v}};
        ASSERT_NO_THROW({
          const ArchitectureResult r = resolve_architecture(c);
          const QuantConfigResult q = parse_quantization(c);
          std::vector<TensorInfo> ts = testing::model_tensors(r.arch, kQ4);
          ts.insert(ts.end(), hostile.begin(), hostile.end());
          (void)check_quantization(r.arch, ts, q.config);
          ++runs;
        }) << type
           << " " << key << " = " << v.dump();
      }
    }
  }
  EXPECT_EQ(runs, testing::supported_types().size() * keys.size() * bad.size());
}

}  // namespace
}  // namespace medq

namespace medq {
namespace {

TEST(QuantChecks, MedGemma4bAtFourBitsIsCleanAndAWrongConfigIsCaught) {
  const ArchitectureResult r = resolve_architecture(testing::medgemma_4b_config());
  const std::vector<TensorInfo> ts = testing::model_tensors(r.arch, kQ4);
  QuantConfig q;
  q.global = kQ4;
  q.pointer = "/quantization";
  EXPECT_TRUE(check_quantization(r.arch, ts, q).empty());
  EXPECT_TRUE(check_config_vs_tensors(r.arch, ts, q).empty());
  q.global = {QuantMode::kAffine, 8, 32};  // same packed/scales ratio, wrong input size
  const Findings f = check_quantization(r.arch, ts, q);
  ASSERT_EQ(codes(f), (std::vector<std::string>{"quant.scheme_mismatch"})) << dump(f);
  EXPECT_NE(f[0].message.find("the shapes fit affine 4-bit g64 (239 modules"), std::string::npos)
      << f[0].message;  // embed + 34 layers x 7 linears
  EXPECT_TRUE(check_config_vs_tensors(r.arch, ts, q).empty());
}

}  // namespace
}  // namespace medq

namespace medq {
namespace {

TEST(ConfigQuant, OneCallFillsTheShardOfEachTensorFinding) {
  json config = testing::small_config("llama");
  config["quantization"] = {{"group_size", 64}, {"bits", 4}};
  const ArchitectureResult r = resolve_architecture(config);
  std::vector<TensorInfo> ts = testing::model_tensors(r.arch, kQ4);
  find_tensor(ts, "model.norm.weight")->shape = {7};
  WeightFile a, b;
  a.name = "model-00001-of-00002.safetensors";
  b.name = "model-00002-of-00002.safetensors";
  std::vector<Checkpoint::Entry> entries;
  for (size_t i = 0; i < ts.size(); ++i) entries.push_back({&ts[i], i % 2 == 0 ? &a : &b});
  const ConfigQuantResult res = check_config_and_quantization(config, entries);
  ASSERT_TRUE(res.quant.has_value());
  EXPECT_EQ(res.quant->global, kQ4);
  ASSERT_EQ(codes(res.findings), (std::vector<std::string>{"config.shape_mismatch"}))
      << dump(res.findings);
  const auto it = std::find_if(ts.begin(), ts.end(),
                               [](const TensorInfo& t) { return t.name == "model.norm.weight"; });
  const size_t i = static_cast<size_t>(it - ts.begin());
  EXPECT_EQ(res.findings[0].where.file, i % 2 == 0 ? a.name : b.name);
  EXPECT_EQ(res.findings[0].where.tensor, "model.norm.weight");
}

}  // namespace
}  // namespace medq
