// medq compare on the generator's checkpoints. The full-size medgemma-4b-it replicas are checked
// against numbers derived here from the published architecture (hidden 2560, 34 layers, ...),
// by hand-written formulas that share no code with medq's analysis.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "defects.hpp"
#include "medq/analysis/comparison.hpp"
#include "medq/analysis/memory.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/check/validate.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// --- medgemma-4b-it, from its config (text_config, vision_config) -----------------------------
constexpr uint64_t kHidden = 2560, kLayers = 34, kHeads = 8, kKvHeads = 4, kHeadDim = 256,
                   kInter = 10240, kVocab = 262208;
constexpr uint64_t kVHidden = 1152, kVLayers = 27, kVInter = 4304, kPatch = 14, kImage = 896;

// Linear weights of one decoder layer (q, k, v, o, gate, up, down): the quantized ones.
constexpr uint64_t kLayerLinear = kHidden * kHeads * kHeadDim          // q_proj
                                  + 2 * kHidden * kKvHeads * kHeadDim  // k_proj, v_proj
                                  + kHeads * kHeadDim * kHidden        // o_proj
                                  + 3 * kHidden * kInter;              // gate, up, down
// Norm weights of one decoder layer: 4 RMS norms of hidden, q_norm and k_norm of head_dim.
constexpr uint64_t kLayerNorms = 4 * kHidden + 2 * kHeadDim;
constexpr uint64_t kLanguageModel = kLayers * (kLayerLinear + kLayerNorms) + kHidden;  // + norm
// Token embedding plus the separate lm_head that mlx-vlm writes.
constexpr uint64_t kEmbeddings = 2 * kVocab * kHidden;
constexpr uint64_t kVisionLayer = 4 * (kVHidden * kVHidden + kVHidden)  // q, k, v, out (+bias)
                                  + (kVHidden * kVInter + kVInter)      // fc1
                                  + (kVInter * kVHidden + kVHidden)     // fc2
                                  + 2 * 2 * kVHidden;                   // 2 layer norms (w, b)
constexpr uint64_t kVision = kVHidden * 3 * kPatch * kPatch + kVHidden  // patch conv (+bias)
                             + (kImage / kPatch) * (kImage / kPatch) * kVHidden  // positions
                             + kVLayers * kVisionLayer + 2 * kVHidden;           // post layer norm
constexpr uint64_t kProjector = kVHidden * kHidden + kVHidden;  // projection, soft-emb norm
constexpr uint64_t kParams = kLanguageModel + kEmbeddings + kVision + kProjector;
constexpr uint64_t kQuantized = kLayers * kLayerLinear + kEmbeddings;  // vision stays bf16
constexpr uint64_t kFloat = kParams - kQuantized;
// Tensors: bf16 checkpoint, then +2 (scales, biases) per quantized module.
constexpr uint64_t kLayerTensors = 7 + 4 + 2;  // linears, norms, q_norm/k_norm
constexpr uint64_t kVisionTensors = 2 + 1 + kVLayers * (2 * 6 + 4) + 2;
constexpr uint64_t kBf16Tensors = 1 + kLayers * kLayerTensors + 1 + 1 + kVisionTensors + 2;
constexpr uint64_t kQuantModules = kLayers * 7 + 2;

static_assert(kParams == 4'971'331'952);  // the published 4.3 B + the duplicated lm_head

uint64_t affine_bytes(unsigned bits, unsigned group) {
  // Packed codes + a bf16 scale and a bf16 bias per group, then the float tensors in bf16.
  return kQuantized * bits / 8 + kQuantized / group * 2 * 2 + kFloat * 2;
}

struct Replicas {
  TempDir tmp;
  std::vector<CompareInput> inputs;
  Replicas() {
    struct V {
      const char* name;
      std::optional<unsigned> bits;
    };
    for (V v : {V{"bf16", std::nullopt}, V{"8bit", 8u}, V{"6bit", 6u}, V{"4bit", 4u}}) {
      synth::QuantPlan plan;
      if (v.bits) plan = synth::plan_affine(*v.bits, 64);
      synth::GenerateOptions o;
      o.sparse = true;
      fs::path dir = tmp.path() / v.name;
      fs::create_directories(dir);
      synth::write_checkpoint(dir, synth::medgemma_4b_it(), plan, o);
      inputs.push_back({v.name, dir});
    }
  }
};

const Replicas& replicas() {
  static const Replicas r;  // made once for the suite, removed at exit
  return r;
}

const CompareVariant& find(const Comparison& c, const std::string& label) {
  for (const auto& v : c.variants) {
    if (v.stats.label == label) return v;
  }
  throw std::runtime_error("no variant " + label);
}

TEST(CompareReplicas, CountsBytesAndBitsFollowTheArchitecture) {
  CompareOptions opts;
  opts.context = 8192;
  Comparison c = compare_models(replicas().inputs, opts);
  ASSERT_EQ(c.variants.size(), 4u);
  // Most precise first, bf16 the baseline.
  EXPECT_EQ(c.variants[0].stats.label, "bf16");
  EXPECT_EQ(c.variants[1].stats.label, "8bit");
  EXPECT_EQ(c.variants[2].stats.label, "6bit");
  EXPECT_EQ(c.variants[3].stats.label, "4bit");
  EXPECT_EQ(c.baseline, 0u);

  const auto& bf16 = find(c, "bf16").stats;
  EXPECT_EQ(bf16.errors, 0u);
  EXPECT_EQ(bf16.tensor_count, kBf16Tensors);
  EXPECT_EQ(bf16.params, kParams);
  EXPECT_EQ(bf16.tensor_bytes, 2 * kParams);
  EXPECT_DOUBLE_EQ(*bf16.bits_per_weight, 16.0);
  EXPECT_FALSE(bf16.bits_quantized.has_value());
  EXPECT_EQ(bf16.parts.at(ModelPart::kLanguageModel).params, kLanguageModel);
  EXPECT_EQ(bf16.parts.at(ModelPart::kEmbeddings).params, kEmbeddings);
  EXPECT_EQ(bf16.parts.at(ModelPart::kVision).params, kVision);
  EXPECT_EQ(bf16.parts.at(ModelPart::kProjector).params, kProjector);

  for (unsigned bits : {8u, 6u, 4u}) {
    SCOPED_TRACE(bits);
    const auto& v = find(c, std::to_string(bits) + "bit");
    const auto& s = v.stats;
    EXPECT_EQ(s.errors, 0u);
    EXPECT_EQ(s.tensor_count, kBf16Tensors + 2 * kQuantModules);
    EXPECT_EQ(s.params, kParams);  // packing does not change the logical count
    EXPECT_EQ(s.quantized_params, kQuantized);
    EXPECT_EQ(s.tensor_bytes, affine_bytes(bits, 64));
    EXPECT_DOUBLE_EQ(*s.bits_quantized, bits + 0.5);  // + 2 x 16 bits per group of 64
    EXPECT_NEAR(*s.bits_per_weight,
                static_cast<double>(affine_bytes(bits, 64)) * 8.0 / static_cast<double>(kParams),
                1e-12);
    ASSERT_FALSE(s.schemes.empty());
    EXPECT_EQ(s.schemes[0].scheme, "affine " + std::to_string(bits) + "-bit g64");
    EXPECT_EQ(s.schemes[0].modules, kQuantModules);
    EXPECT_EQ(v.weight_bytes.value,
              static_cast<int64_t>(affine_bytes(bits, 64)) - static_cast<int64_t>(2 * kParams));
    EXPECT_EQ(v.params.value, 0);
  }
  // The published sizes of the mlx-community repos' weights, which the replicas reproduce.
  EXPECT_EQ(find(c, "4bit").stats.tensor_bytes, 3'400'389'344u);
  EXPECT_EQ(find(c, "8bit").stats.tensor_bytes, 5'675'963'104u);

  EXPECT_TRUE(c.architecture_identical);
  EXPECT_EQ(c.tensors.presence.total, 0u);
  EXPECT_EQ(c.tensors.shapes.total, 0u);
  EXPECT_EQ(c.tensors.dtypes.total, 0u);
  for (const auto& f : c.files) EXPECT_TRUE(f.identical) << f.file;
}

TEST(CompareReplicas, KvCacheCapsSlidingLayersAtTheWindow) {
  CompareOptions opts;
  opts.context = 32768;
  opts.memory_budget = parse_memory_budget("5GB", nullptr);
  Comparison c = compare_models(replicas().inputs, opts);
  // Gemma 3: every 6th layer global (5 of 34), the other 29 keep the last 1024 tokens.
  constexpr uint64_t kPerTokenLayer = 2 * kKvHeads * kHeadDim * 2;  // K and V, bf16
  constexpr uint64_t kTokens = 5 * 32768 + 29 * 1024;
  for (const auto& v : c.variants) {
    SCOPED_TRACE(v.stats.label);
    ASSERT_TRUE(v.memory.kv_cache.has_value());
    EXPECT_EQ(*v.memory.kv_cache, kPerTokenLayer * kTokens);
    EXPECT_EQ(v.memory.sliding_layers, 29u);
    EXPECT_EQ(v.memory.weights, v.stats.tensor_bytes);
    EXPECT_EQ(v.memory.total, v.memory.weights + *v.memory.kv_cache + v.memory.overhead);
  }
  EXPECT_FALSE(*find(c, "bf16").memory.fits);
  EXPECT_TRUE(*find(c, "4bit").memory.fits);
}

TEST(CompareReplicas, BaselineCanBeChosen) {
  CompareOptions opts;
  opts.baseline = "4bit";
  Comparison c = compare_models(replicas().inputs, opts);
  EXPECT_TRUE(c.baseline_given);
  EXPECT_EQ(c.variants[c.baseline].stats.label, "4bit");
  EXPECT_EQ(find(c, "bf16").weight_bytes.value,
            static_cast<int64_t>(2 * kParams) - static_cast<int64_t>(affine_bytes(4, 64)));
  opts.baseline = "nope";
  EXPECT_THROW(compare_models(replicas().inputs, opts), std::invalid_argument);
}

// --- Defects show as what they are, not as clean rows -------------------------------------------

VariantStats analyze_defect(const std::string& name, TempDir& tmp) {
  fs::path dir = tmp.path() / name;
  fs::create_directories(dir);
  synth::write_defect(name, dir, 0);
  return analyze_variant(validate_model(dir), name);
}

TEST(CompareDefects, DuplicateShardIsExcludedFromWeightsAndNamed) {
  TempDir tmp;
  VariantStats s = analyze_defect("duplicate-shard", tmp);
  EXPECT_GT(s.errors, 0u);
  EXPECT_EQ(s.error_codes.count("directory.duplicate_weights"), 1u);
  ASSERT_FALSE(s.extra.empty());
  EXPECT_EQ(s.extra[0].name, "model.safetensors");
  EXPECT_EQ(s.extra[0].why, "duplicate weights");
  EXPECT_EQ(s.weight_files, 2u);
  // The weights counted once: every tensor of the duplicate is also in the shards.
  EXPECT_EQ(s.extra_bytes, fs::file_size(tmp.path() / "duplicate-shard" / "model.safetensors"));
  EXPECT_EQ(s.weight_file_bytes,
            fs::file_size(tmp.path() / "duplicate-shard" / "model-00001-of-00002.safetensors") +
                fs::file_size(tmp.path() / "duplicate-shard" / "model-00002-of-00002.safetensors"));
}

TEST(CompareDefects, BitsMismatchCountsParametersFromTheShapes) {
  TempDir tmp;
  VariantStats bad = analyze_defect("bits-mismatch", tmp);
  EXPECT_EQ(bad.error_codes.count("quant.packed_shape_mismatch"), 1u);
  ASSERT_FALSE(bad.schemes.empty());
  EXPECT_EQ(bad.schemes[0].scheme, "affine 4-bit g64");  // what the packed weights are
  EXPECT_GT(bad.params_from_shapes, 0u);
  EXPECT_DOUBLE_EQ(*bad.bits_quantized, 4.5);
}

TEST(CompareDefects, EveryDefectIsInvalidOrWarned) {
  TempDir tmp;
  for (const auto& d : synth::list_defects()) {
    SCOPED_TRACE(d.name);
    VariantStats s = analyze_defect(d.name, tmp);
    EXPECT_GT(s.errors + s.warnings, 0u);
    if (d.name != "incomplete-download") {
      EXPECT_GT(s.errors, 0u);
    }
  }
}

TEST(CompareFiles, ADifferentTokenizerConfigIsReported) {
  TempDir tmp;
  std::vector<CompareInput> inputs;
  for (const char* name : {"a", "b"}) {
    fs::path dir = tmp.path() / name;
    fs::create_directories(dir);
    synth::GenerateOptions o;
    synth::write_checkpoint(dir, synth::tiny_llama(), synth::plan_affine(4, 64), o);
    inputs.push_back({name, dir});
  }
  {
    std::ofstream f(tmp.path() / "b" / "generation_config.json", std::ios::app);
    f << "\n";
  }
  Comparison c = compare_models(inputs, {});
  bool seen = false;
  for (const auto& f : c.files) {
    if (f.file == "generation_config.json") {
      seen = true;
      EXPECT_FALSE(f.identical);
    } else {
      EXPECT_TRUE(f.identical) << f.file;
    }
  }
  EXPECT_TRUE(seen);
}

TEST(CompareTensors, DifferentArchitecturesAreSpelledOut) {
  TempDir tmp;
  std::vector<CompareInput> inputs;
  struct V {
    const char* name;
    synth::Arch arch;
  };
  for (const V& v : {V{"gemma", synth::tiny_gemma3()}, V{"llama", synth::tiny_llama()}}) {
    fs::path dir = tmp.path() / v.name;
    fs::create_directories(dir);
    synth::write_checkpoint(dir, v.arch, synth::plan_affine(4, 64), {});
    inputs.push_back({v.name, dir});
  }
  Comparison c = compare_models(inputs, {});
  EXPECT_FALSE(c.architecture_identical);
  EXPECT_GT(c.tensors.presence.total, 0u);
  bool model_type_differs = false;
  for (const auto& row : c.architecture) {
    if (row.field == "model_type") model_type_differs = row.differs;
  }
  EXPECT_TRUE(model_type_differs);
  // Not one model: an error about the comparison itself, naming the fields that differ.
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].code, "compare.different_models");
  EXPECT_EQ(c.findings[0].severity, Severity::kError);
  EXPECT_NE(c.findings[0].message.find("model_type gemma3 in 'gemma', llama in 'llama'"),
            std::string::npos)
      << c.findings[0].message;
}

TEST(CompareTensors, VariantsOfOneModelAreNoFinding) {
  Comparison c = compare_models(replicas().inputs, {});
  EXPECT_TRUE(c.findings.empty());
}

TEST(CompareMixed, MixedRecipeCountsModulesPerScheme) {
  TempDir tmp;
  const synth::Arch a = synth::tiny_gemma3();
  fs::path dir = tmp.path() / "mixed";
  fs::create_directories(dir);
  synth::QuantPlan plan = synth::plan_mixed("mixed_4_8", a, {});
  synth::write_checkpoint(dir, a, plan, {});
  VariantStats s = analyze_variant(validate_model(dir), "mixed");
  EXPECT_EQ(s.errors, 0u);
  uint64_t at8 = 0, at4 = 0;
  for (const auto& u : s.schemes) {
    if (u.scheme == "affine 8-bit g64") at8 = u.modules;
    if (u.scheme == "affine 4-bit g64") at4 = u.modules;
  }
  // Count the plan's own entries: every quantized module is listed explicitly.
  uint64_t want8 = 0, want4 = 0;
  for (const auto& [path, spec] : plan.overrides) {
    if (spec && spec->bits == 8) ++want8;
    if (spec && spec->bits == 4) ++want4;
  }
  EXPECT_EQ(at8, want8);
  EXPECT_EQ(at4, want4);
}

TEST(MemoryBudget, NeedsAUnitAndKeepsTheOneWritten) {
  std::string why;
  EXPECT_FALSE(parse_memory_budget("6", &why).has_value());
  EXPECT_NE(why.find("has no unit: write 6GB or 6GiB"), std::string::npos) << why;
  EXPECT_FALSE(parse_memory_budget("lots", &why).has_value());
  EXPECT_FALSE(parse_memory_budget("6 parsecs", &why).has_value());
  EXPECT_FALSE(parse_memory_budget("0GB", &why).has_value());
  EXPECT_FALSE(parse_memory_budget("99999999999TB", &why).has_value());
  auto gib = parse_memory_budget("6 gib", &why);
  ASSERT_TRUE(gib.has_value());
  EXPECT_EQ(gib->bytes, 6ull << 30);
  EXPECT_EQ(gib->text(), "6 GiB");
  auto gb = parse_memory_budget("7.5GB", &why);
  ASSERT_TRUE(gb.has_value());
  EXPECT_EQ(gb->bytes, 7'500'000'000u);
  EXPECT_EQ(gb->text(), "7.5 GB");
  EXPECT_EQ(parse_memory_budget("512MiB", &why)->bytes, 536'870'912u);
  EXPECT_EQ(parse_memory_budget("64kb", &why)->text(), "64 kB");
  EXPECT_EQ(gib->headroom_text(int64_t{1} << 29), "0.50 GiB under");
  EXPECT_EQ(gib->headroom_text(-(int64_t{3} << 30)), "3.00 GiB over");
}

TEST(ByteSize, ParsesDecimalAndBinaryUnits) {
  EXPECT_EQ(parse_byte_size("8GB"), 8'000'000'000u);
  EXPECT_EQ(parse_byte_size("7.5 GiB"), 8'053'063'680u);
  EXPECT_EQ(parse_byte_size("6000MB"), 6'000'000'000u);
  EXPECT_EQ(parse_byte_size("512mib"), 536'870'912u);
  EXPECT_EQ(parse_byte_size("4096"), 4096u);
  EXPECT_FALSE(parse_byte_size("").has_value());
  EXPECT_FALSE(parse_byte_size("GB").has_value());
  EXPECT_FALSE(parse_byte_size("1.2.3GB").has_value());
  EXPECT_FALSE(parse_byte_size("8 parsecs").has_value());
  EXPECT_FALSE(parse_byte_size("99999999999TB").has_value());
}

TEST(ModelPart, ClassifiesByName) {
  EXPECT_EQ(model_part_of("vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight"),
            ModelPart::kVision);
  EXPECT_EQ(model_part_of("multi_modal_projector.mm_input_projection_weight"),
            ModelPart::kProjector);
  EXPECT_EQ(model_part_of("language_model.model.embed_tokens.weight"), ModelPart::kEmbeddings);
  EXPECT_EQ(model_part_of("lm_head.weight"), ModelPart::kEmbeddings);
  EXPECT_EQ(model_part_of("model.layers.3.mlp.down_proj.weight"), ModelPart::kLanguageModel);
}

}  // namespace
}  // namespace medq

namespace medq {
namespace {

TEST(CompareFidelity, EachVariantAgainstTheBaseline) {
  TempDir tmp;
  std::vector<CompareInput> inputs;
  for (auto [name, bits] : std::vector<std::pair<const char*, unsigned>>{{"q8", 8}, {"q4", 4}}) {
    fs::path dir = tmp.path() / name;
    fs::create_directories(dir);
    synth::write_checkpoint(dir, synth::tiny_llama(), synth::plan_affine(bits, 64), {});
    inputs.push_back({name, dir});
  }
  CompareOptions o;
  o.fidelity = true;
  Comparison c = compare_models(inputs, o);
  ASSERT_EQ(c.variants.size(), 2u);
  EXPECT_EQ(c.variants[0].stats.label, "q8");
  EXPECT_FALSE(c.variants[0].fidelity.has_value());  // the baseline
  ASSERT_TRUE(c.variants[1].fidelity.has_value());
  EXPECT_EQ(c.variants[1].fidelity->reference, "q8");
  EXPECT_GT(*c.variants[1].fidelity->overall.mean_rel_rms, 0.0);
  EXPECT_LT(*c.variants[1].fidelity->overall.mean_cosine, 1.0);
}

}  // namespace
}  // namespace medq
