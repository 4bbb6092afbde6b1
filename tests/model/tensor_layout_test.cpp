#include "medq/model/tensor_layout.hpp"

#include <gtest/gtest.h>

#include <map>

#include "test_models.hpp"

namespace medq {
namespace {

using nlohmann::json;

std::map<std::string, ExpectedTensor> expanded(const json& config) {
  const ArchitectureResult r = resolve_architecture(config);
  std::map<std::string, ExpectedTensor> m;
  for (ExpectedTensor& e : expand_layout(expected_layout(r.arch))) m[e.name] = e;
  return m;
}

using Shape = std::vector<uint64_t>;

TEST(TensorLayout, LlamaTiedHasNoRequiredLmHead) {
  const auto m = expanded(testing::small_config("llama"));  // tie defaults to true in mlx-lm
  ASSERT_TRUE(m.count("model.embed_tokens.weight"));
  EXPECT_EQ(m.at("model.embed_tokens.weight").shape, (Shape{512, 256}));
  EXPECT_TRUE(m.at("model.embed_tokens.weight").quantizable);
  EXPECT_TRUE(m.at("lm_head.weight").dropped_by_loader);
  EXPECT_EQ(m.at("model.layers.2.self_attn.q_proj.weight").shape, (Shape{256, 256}));
  EXPECT_EQ(m.at("model.layers.2.self_attn.k_proj.weight").shape, (Shape{128, 256}));
  EXPECT_EQ(m.at("model.layers.0.mlp.down_proj.weight").shape, (Shape{256, 512}));
  EXPECT_EQ(m.at("model.layers.0.input_layernorm.weight").shape, (Shape{256}));
  EXPECT_FALSE(m.at("model.layers.0.input_layernorm.weight").quantizable);
  EXPECT_FALSE(m.count("model.layers.3.self_attn.q_proj.weight"));
  EXPECT_FALSE(m.count("model.layers.0.self_attn.q_proj.bias"));
  EXPECT_EQ(m.size(), 3u + 3u * 9u);  // embed, norm, lm_head + 9 per layer
}

TEST(TensorLayout, LlamaUntiedWithBiases) {
  json c = testing::small_config("llama");
  c["tie_word_embeddings"] = false;
  c["attention_bias"] = true;
  c["mlp_bias"] = true;
  const auto m = expanded(c);
  EXPECT_FALSE(m.at("lm_head.weight").optional);
  EXPECT_FALSE(m.at("lm_head.weight").dropped_by_loader);
  EXPECT_EQ(m.at("model.layers.0.self_attn.o_proj.bias").shape, (Shape{256}));
  EXPECT_EQ(m.at("model.layers.0.mlp.gate_proj.bias").shape, (Shape{512}));
}

TEST(TensorLayout, Qwen2HasQkvBiasesButNoOutputBias) {
  const auto m = expanded(testing::small_config("qwen2"));
  EXPECT_EQ(m.at("model.layers.1.self_attn.q_proj.bias").shape, (Shape{256}));
  EXPECT_EQ(m.at("model.layers.1.self_attn.v_proj.bias").shape, (Shape{128}));
  EXPECT_FALSE(m.count("model.layers.1.self_attn.o_proj.bias"));
}

TEST(TensorLayout, Qwen3AndGemmaHaveQkNorms) {
  for (const char* t : {"qwen3", "gemma3_text"}) {
    const auto m = expanded(testing::small_config(t));
    EXPECT_EQ(m.at("model.layers.0.self_attn.q_norm.weight").shape, (Shape{64})) << t;
    EXPECT_EQ(m.at("model.layers.0.self_attn.k_norm.weight").shape, (Shape{64})) << t;
  }
  const auto g = expanded(testing::small_config("gemma3_text"));
  EXPECT_TRUE(g.count("model.layers.0.pre_feedforward_layernorm.weight"));
  EXPECT_TRUE(g.at("lm_head.weight").optional);
}

TEST(TensorLayout, Phi3FusesQkvAndGateUp) {
  const auto m = expanded(testing::small_config("phi3"));
  // (4 heads + 2 * 2 kv heads) * 64
  EXPECT_EQ(m.at("model.layers.0.self_attn.qkv_proj.weight").shape, (Shape{512, 256}));
  EXPECT_EQ(m.at("model.layers.0.mlp.gate_up_proj.weight").shape, (Shape{1024, 256}));
  EXPECT_FALSE(m.count("model.layers.0.self_attn.q_proj.weight"));
  EXPECT_FALSE(m.at("lm_head.weight").optional);
}

TEST(TensorLayout, Gemma3FollowsMlxVlmNames) {
  const auto m = expanded(testing::small_config("gemma3"));
  EXPECT_EQ(m.at("language_model.model.embed_tokens.weight").shape, (Shape{512, 256}));
  EXPECT_TRUE(m.at("language_model.lm_head.weight").optional);
  EXPECT_TRUE(m.count("language_model.model.layers.2.post_feedforward_layernorm.weight"));
  const std::string v = "vision_tower.vision_model.";
  // Channels-last Conv2d: [out, kh, kw, in].
  EXPECT_EQ(m.at(v + "embeddings.patch_embedding.weight").shape, (Shape{128, 4, 4, 3}));
  EXPECT_FALSE(m.at(v + "embeddings.patch_embedding.weight").quantizable);
  EXPECT_EQ(m.at(v + "embeddings.position_embedding.weight").shape, (Shape{16, 128}));
  EXPECT_EQ(m.at(v + "encoder.layers.1.mlp.fc1.weight").shape, (Shape{256, 128}));
  EXPECT_EQ(m.at(v + "encoder.layers.1.self_attn.out_proj.bias").shape, (Shape{128}));
  EXPECT_FALSE(m.count(v + "encoder.layers.2.mlp.fc1.weight"));
  EXPECT_EQ(m.at("multi_modal_projector.mm_input_projection_weight").shape, (Shape{128, 256}));
  EXPECT_EQ(m.at("multi_modal_projector.mm_input_projection_weight").component,
            Component::kProjector);
}

TEST(TensorLayout, MedGemmaVisionPositionsAreImageOverPatchSquared) {
  json c = testing::small_config("gemma3");
  c["vision_config"]["image_size"] = 896;
  c["vision_config"]["patch_size"] = 14;
  c["mm_tokens_per_image"] = 256;
  const auto m = expanded(c);
  EXPECT_EQ(m.at("vision_tower.vision_model.embeddings.position_embedding.weight").shape,
            (Shape{4096, 128}));
}

TEST(TensorLayout, MatchFindsLayerIndicesIncludingOutOfRange) {
  const ArchitectureResult r = resolve_architecture(testing::small_config("llama"));
  const TensorLayout l = expected_layout(r.arch);
  LayoutMatch m = match_tensor(l, "model.layers.7.mlp.up_proj.weight");
  ASSERT_NE(m.stack, nullptr);
  EXPECT_EQ(*m.layer, 7u);
  ASSERT_NE(m.entry, nullptr);
  EXPECT_EQ(m.entry->name, "mlp.up_proj.weight");
  m = match_tensor(l, "model.layers.01.mlp.up_proj.weight");  // not an index MLX would write
  EXPECT_EQ(m.entry, nullptr);
  EXPECT_EQ(m.stack, nullptr);
  m = match_tensor(l, "model.layers.99999999999999999999999.mlp.up_proj.weight");
  EXPECT_EQ(m.stack, nullptr);
  m = match_tensor(l, "model.layers.1.mlp.nonsense.weight");
  EXPECT_NE(m.stack, nullptr);
  EXPECT_EQ(m.entry, nullptr);
  EXPECT_NE(match_tensor(l, "model.norm.weight").entry, nullptr);
}

TEST(TensorLayout, UnknownArchitectureExpectsNothing) {
  const ArchitectureResult r = resolve_architecture(json{{"model_type", "falcon"}});
  const TensorLayout l = expected_layout(r.arch);
  EXPECT_FALSE(l.known);
  EXPECT_TRUE(expand_layout(l).empty());
}

TEST(TensorLayout, OverflowingDimensionsBecomeUnknown) {
  json c = testing::small_config("llama");
  c["num_attention_heads"] = 1ull << 40;
  c["num_key_value_heads"] = 1ull << 40;
  c["head_dim"] = 1ull << 40;
  const auto m = expanded(c);
  EXPECT_EQ(m.at("model.layers.0.self_attn.q_proj.weight").shape, (Shape{0, 256}));
}

}  // namespace
}  // namespace medq
