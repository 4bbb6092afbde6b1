// The full-size medgemma-4b-it replicas against numbers derived here, independently of the
// generator's recipe tables, from the published architecture: text hidden 2560, 34 layers,
// 8 heads, 4 kv heads, head_dim 256, intermediate 10240, vocab 262208; SigLIP hidden 1152,
// 27 layers, intermediate 4304, patch 14, image 896; the projector; the extra lm_head.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "arch.hpp"
#include "checkpoint.hpp"
#include "medq/formats/safetensors.hpp"
#include "quant_plan.hpp"
#include "test_util.hpp"

namespace medq::synth {
namespace {

// Architecture numbers, typed in from the model card / config, not taken from arch.cpp.
constexpr uint64_t H = 2560, L = 34, NH = 8, NKV = 4, HD = 256, I = 10240, V = 262208;
constexpr uint64_t VH = 1152, VL = 27, VI = 4304, P = 14, IMG = 896, C = 3;

struct Expected {
  uint64_t tensors, parameters, bytes;
};

Expected expected(unsigned bits) {  // bits 0 = bf16
  // The quantizable matrices: [out, in] per text layer, plus embedding and lm_head [V, H].
  const uint64_t per_layer[7][2] = {{NH * HD, H}, {NKV * HD, H}, {NKV * HD, H}, {H, NH * HD},
                                    {I, H},       {I, H},        {H, I}};
  uint64_t q_params = 2 * V * H, q_bytes = 0, q_modules = 2;
  auto qbytes = [&](uint64_t out, uint64_t in) {
    if (bits == 0) return out * in * 2;
    return out * in * bits / 8 + 2 * (out * (in / 64) * 2);  // weight + bf16 scales + biases
  };
  q_bytes = 2 * qbytes(V, H);
  for (uint64_t l = 0; l < L; ++l)
    for (const auto& m : per_layer) {
      q_params += m[0] * m[1];
      q_bytes += qbytes(m[0], m[1]);
      ++q_modules;
    }
  // Everything else stays bf16: text norms (4 of H + q/k norms of HD per layer, final norm),
  // the vision tower, the projector.
  const uint64_t text_norms = L * (4 * H + 2 * HD) + H;
  const uint64_t patches = (IMG / P) * (IMG / P);
  const uint64_t vision = VH * P * P * C + VH + patches * VH +
                          VL * (4 * (VH * VH + VH) + (VI * VH + VI) + (VH * VI + VH) + 4 * VH) +
                          2 * VH;
  const uint64_t projector = VH * H + VH;
  const uint64_t float_params = text_norms + vision + projector;
  Expected e;
  e.parameters = q_params + float_params;
  e.bytes = q_bytes + 2 * float_params;
  // Tensors: 13 per text layer + embed, norm, lm_head; 16 per vision layer + 5; projector 2;
  // each quantized module adds scales and biases.
  e.tensors = (L * 13 + 3) + (VL * 16 + 5) + 2 + (bits ? 2 * q_modules : 0);
  return e;
}

TEST(Replica, ArithmeticMatchesThePublishedModelSize) {
  // Sanity of the test's own arithmetic: Gemma 3 4B is "4.3B parameters" without the lm_head
  // copy; the replica carries the copy (mlx-vlm writes language_model.lm_head).
  const Expected e = expected(0);
  EXPECT_EQ(e.parameters - V * H, 4300079472u);
  EXPECT_EQ(e.parameters, 4971331952u);
}

class ReplicaQuant : public ::testing::TestWithParam<unsigned> {};

TEST_P(ReplicaQuant, CountsSizesHeadersDiskAndTime) {
  const unsigned bits = GetParam();
  test::TempDir tmp;
  const auto t0 = std::chrono::steady_clock::now();
  GenerateOptions o;
  o.sparse = true;
  o.real_tokenizer_dir = std::filesystem::path(MEDQ_SOURCE_DIR) / ".deps" / "gemma3-tokenizer";
  const Summary s =
      write_checkpoint(tmp.path(), medgemma_4b_it(), bits ? plan_affine(bits, 64) : QuantPlan{}, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 60.0);
  EXPECT_LT(test::disk_usage(tmp.path()), 100u << 20) << "real disk use";

  const Expected e = expected(bits);
  EXPECT_EQ(s.tensors, e.tensors);
  EXPECT_EQ(s.parameters, e.parameters);
  EXPECT_EQ(s.total_size, e.bytes);

  // Read every shard back with medq's own reader and recount.
  uint64_t tensors = 0, bytes = 0;
  std::map<std::string, TensorInfo> by_name;
  for (const std::string& shard : s.shards) {
    const auto path = tmp.path() / shard;
    const SafetensorsResult r = read_safetensors(path, shard);
    ASSERT_TRUE(r.ok()) << shard << ": " << (r.findings.empty() ? "" : r.findings[0].message);
    EXPECT_LE(std::filesystem::file_size(path) - r.header->data_start(), 5ull << 30);
    ASSERT_TRUE(r.header->metadata.has_value());
    EXPECT_EQ(r.header->metadata->at("format"), "mlx");
    for (const TensorInfo& t : r.header->tensors) {
      ++tensors;
      bytes += t.nbytes();
      by_name[t.name] = t;
    }
  }
  EXPECT_EQ(tensors, e.tensors);
  EXPECT_EQ(bytes, e.bytes);
  const uint64_t shards = (e.bytes + (5ull << 30) - 1) / (5ull << 30);
  EXPECT_GE(s.shards.size(), shards);
  if (s.shards.size() > 1) {
    EXPECT_EQ(s.shards[0],
              "model-00001-of-0000" + std::to_string(s.shards.size()) + ".safetensors");
  }

  // Spot checks of real names, dtypes and shapes.
  const auto shape = [&](const std::string& n) { return by_name.at(n).shape; };
  EXPECT_EQ(shape("vision_tower.vision_model.embeddings.patch_embedding.weight"),
            (std::vector<uint64_t>{VH, P, P, C}));
  EXPECT_EQ(shape("vision_tower.vision_model.embeddings.position_embedding.weight"),
            (std::vector<uint64_t>{4096, VH}));
  EXPECT_EQ(shape("multi_modal_projector.mm_input_projection_weight"),
            (std::vector<uint64_t>{VH, H}));
  EXPECT_EQ(shape("language_model.model.layers.33.self_attn.k_norm.weight"),
            (std::vector<uint64_t>{HD}));
  EXPECT_EQ(by_name.at("vision_tower.vision_model.encoder.layers.26.mlp.fc1.weight").dtype,
            Dtype::BF16);
  if (bits) {
    const TensorInfo& w = by_name.at("language_model.lm_head.weight");
    EXPECT_EQ(w.dtype, Dtype::U32);
    EXPECT_EQ(w.shape, (std::vector<uint64_t>{V, H * bits / 32}));
    EXPECT_EQ(shape("language_model.model.layers.0.mlp.down_proj.scales"),
              (std::vector<uint64_t>{H, I / 64}));
    EXPECT_EQ(by_name.count("vision_tower.vision_model.encoder.layers.0.mlp.fc1.scales"), 0u);
  } else {
    EXPECT_EQ(shape("language_model.lm_head.weight"), (std::vector<uint64_t>{V, H}));
  }

  // The index agrees, and config.json looks like the real one.
  const auto idx =
      nlohmann::json::parse(test::read_file(tmp.path() / "model.safetensors.index.json"));
  EXPECT_EQ(idx["metadata"]["total_size"], e.bytes);
  EXPECT_EQ(idx["metadata"]["total_parameters"], e.parameters);
  EXPECT_EQ(idx["weight_map"].size(), e.tensors);
  const auto cfg = nlohmann::json::parse(test::read_file(tmp.path() / "config.json"));
  EXPECT_EQ(cfg["model_type"], "gemma3");
  EXPECT_EQ(cfg["image_token_index"], 262144);
  EXPECT_EQ(cfg["mm_tokens_per_image"], 256);
  EXPECT_EQ(cfg["text_config"]["hidden_size"], H);
  EXPECT_EQ(cfg["text_config"]["vocab_size"], V);
  EXPECT_EQ(cfg["vision_config"]["intermediate_size"], VI);
  if (bits) {
    EXPECT_EQ(cfg["quantization"], cfg["quantization_config"]);
    EXPECT_EQ(cfg["quantization"]["bits"], bits);
  } else {
    EXPECT_FALSE(cfg.contains("quantization"));
  }
  if (!s.real_tokenizer) std::printf("note: real Gemma 3 tokenizer absent, synthesized one\n");
}

// The replica's config names its special tokens by id; with the real tokenizer those ids must be
// the tokens they claim to be.
TEST(Replica, ConfigIdsNameTheRealTokenizersTokens) {
  const auto dir = std::filesystem::path(MEDQ_SOURCE_DIR) / ".deps" / "gemma3-tokenizer";
  if (!std::filesystem::exists(dir / "tokenizer.json"))
    GTEST_SKIP() << "real Gemma 3 tokenizer not installed (run scripts/setup.sh)";
  test::TempDir tmp;
  GenerateOptions o;
  o.sparse = true;
  o.real_tokenizer_dir = dir;
  ASSERT_TRUE(write_checkpoint(tmp.path(), medgemma_4b_it(), QuantPlan{}, o).real_tokenizer);
  const auto cfg = nlohmann::json::parse(test::read_file(tmp.path() / "config.json"));
  const auto tok = nlohmann::json::parse(test::read_file(tmp.path() / "tokenizer.json"));
  std::map<int64_t, std::string> added;
  for (const auto& t : tok["added_tokens"]) added[t["id"].get<int64_t>()] = t["content"];
  EXPECT_EQ(added.at(cfg["image_token_index"].get<int64_t>()), "<image_soft_token>");
  EXPECT_EQ(added.at(cfg["boi_token_index"].get<int64_t>()), "<start_of_image>");
  EXPECT_EQ(added.at(cfg["eoi_token_index"].get<int64_t>()), "<end_of_image>");
  EXPECT_EQ(added.at(cfg["eos_token_id"][0].get<int64_t>()), "<eos>");
  EXPECT_EQ(added.at(cfg["eos_token_id"][1].get<int64_t>()), "<end_of_turn>");
  // Every token id fits the embedding.
  EXPECT_LT(added.rbegin()->first, cfg["text_config"]["vocab_size"].get<int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Bits, ReplicaQuant, ::testing::Values(0u, 4u, 6u, 8u), [](const auto& i) {
  return i.param ? std::to_string(i.param) + "bit" : std::string("bf16");
});

}  // namespace
}  // namespace medq::synth
