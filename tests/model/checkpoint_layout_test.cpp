// Layout detection and renaming: the same tiny Gemma 3 in the MLX layout and in each form
// transformers writes (4.50's names, 4.52+'s moved modules, 5.x's flat vision tower), text
// models told apart by their files' metadata, and a tensor set that fits neither.
#include <gtest/gtest.h>

#include "medq/model/checkpoint_layout.hpp"
#include "medq/model/tensor_layout.hpp"
#include "test_models.hpp"

namespace medq {
namespace {

using testing::small_config;

Architecture arch_of(const std::string& type) {
  return resolve_architecture(small_config(type)).arch;
}

/// The expected tensors of `a` in `kind`, BF16, with every stored name passed through `rename`.
std::vector<TensorInfo> tensors(const Architecture& a, LayoutKind kind,
                                const std::vector<NameMap::Rule>& rename = {}) {
  NameMap back;
  for (const auto& r : rename) back.rules.push_back({r.logical, r.stored});
  std::vector<TensorInfo> out;
  for (const ExpectedTensor& e : expand_layout(expected_layout(a, kind))) {
    if (e.dropped_by_loader) continue;
    if (e.optional && kind == LayoutKind::kTransformers) continue;  // the tied lm_head
    TensorInfo t;
    t.name = back.to_logical(e.name);  // logical -> stored
    t.dtype = Dtype::BF16;
    t.shape = e.shape;
    out.push_back(std::move(t));
  }
  return out;
}

TEST(CheckpointLayout, Gemma3PatchEmbeddingOrderDecidesBetweenIdenticalNames) {
  const Architecture a = arch_of("gemma3");
  const CheckpointLayout hf = detect_layout(tensors(a, LayoutKind::kTransformers), {}, &a);
  EXPECT_EQ(hf.kind, LayoutKind::kTransformers);
  EXPECT_EQ(hf.conv, ConvOrder::kOihw);
  EXPECT_EQ(hf.evidence, "patch embedding [128, 3, 4, 4] (OIHW)");
  EXPECT_TRUE(hf.names.rules.empty());
  EXPECT_EQ(hf.recognized, hf.weights);

  const CheckpointLayout mlx = detect_layout(tensors(a, LayoutKind::kMlx), {}, &a);
  EXPECT_EQ(mlx.kind, LayoutKind::kMlx);
  EXPECT_EQ(mlx.conv, ConvOrder::kOhwi);
}

TEST(CheckpointLayout, Gemma3MovedModulesAreRenamed) {
  const Architecture a = arch_of("gemma3");
  // transformers 4.52+ module names.
  const std::vector<NameMap::Rule> moved = {
      {"model.language_model.", "language_model.model."},
      {"model.vision_tower.vision_model.", "vision_tower.vision_model."},
      {"model.multi_modal_projector.", "multi_modal_projector."}};
  const std::vector<TensorInfo> ts = tensors(a, LayoutKind::kTransformers, moved);
  const CheckpointLayout l = detect_layout(ts, {}, &a);
  EXPECT_EQ(l.kind, LayoutKind::kTransformers);
  EXPECT_EQ(l.recognized, l.weights);
  EXPECT_EQ(l.names.to_logical("model.language_model.layers.1.mlp.up_proj.weight"),
            "language_model.model.layers.1.mlp.up_proj.weight");
  EXPECT_EQ(l.names.to_stored("vision_tower.vision_model.post_layernorm.bias"),
            "model.vision_tower.vision_model.post_layernorm.bias");
  EXPECT_EQ(l.names.to_logical("lm_head.weight"), "lm_head.weight");  // no top-level lm_head here

  // transformers 5.x: vision_tower.* without vision_model; an untied lm_head at the top.
  std::vector<TensorInfo> v5 =
      tensors(a, LayoutKind::kTransformers, {{"vision_tower.", "vision_tower.vision_model."}});
  TensorInfo head;
  head.name = "lm_head.weight";
  head.shape = {512, 256};
  v5.push_back(head);
  const CheckpointLayout l5 = detect_layout(v5, {}, &a);
  EXPECT_EQ(l5.kind, LayoutKind::kTransformers);
  EXPECT_EQ(l5.recognized, l5.weights);
  EXPECT_EQ(l5.names.to_logical("vision_tower.encoder.layers.0.mlp.fc1.weight"),
            "vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight");
  EXPECT_EQ(l5.names.to_logical("lm_head.weight"), "language_model.lm_head.weight");
}

TEST(CheckpointLayout, TextModelsByPackingThenMetadata) {
  const Architecture a = arch_of("llama");
  const std::vector<TensorInfo> ts = tensors(a, LayoutKind::kTransformers);
  const std::vector<std::string> pt = {"pt"}, mlx = {"mlx"};
  EXPECT_EQ(detect_layout(ts, pt, &a).kind, LayoutKind::kTransformers);
  EXPECT_EQ(detect_layout(ts, pt, &a).evidence, "safetensors metadata (format: pt)");
  EXPECT_EQ(detect_layout(ts, mlx, &a).kind, LayoutKind::kMlx);
  EXPECT_EQ(detect_layout(ts, {}, &a).evidence, "names fit both; MLX assumed");
  // A packed module makes it MLX's whatever the metadata says.
  std::vector<TensorInfo> packed = ts;
  for (TensorInfo& t : packed) {
    if (t.name == "model.layers.0.mlp.up_proj.weight") {
      t.dtype = Dtype::U32;
      t.shape = {512, 32};
    }
  }
  TensorInfo scales;
  scales.name = "model.layers.0.mlp.up_proj.scales";
  scales.shape = {512, 4};
  packed.push_back(scales);
  EXPECT_EQ(detect_layout(packed, pt, &a).kind, LayoutKind::kMlx);
}

TEST(CheckpointLayout, NamesOfNeitherLayoutAreUnknown) {
  const Architecture a = arch_of("qwen2");
  // A PEFT wrapper's names.
  std::vector<TensorInfo> ts = tensors(a, LayoutKind::kTransformers);
  for (TensorInfo& t : ts) t.name = "base_model.model." + t.name;
  const CheckpointLayout l = detect_layout(ts, {}, &a);
  EXPECT_EQ(l.kind, LayoutKind::kUnknown);
  EXPECT_EQ(l.recognized, 0u);
  EXPECT_EQ(l.weights, ts.size());
  ASSERT_EQ(l.unrecognized_examples.size(), 3u);
  EXPECT_TRUE(l.unrecognized_examples[0].starts_with("base_model.model."));
  // Unknown architectures: never unknown, nothing is expected.
  const Architecture u = resolve_architecture(nlohmann::json{{"model_type", "other"}}).arch;
  EXPECT_EQ(detect_layout(ts, {}, &u).kind, LayoutKind::kMlx);
}

TEST(CheckpointLayout, TransformersExpectsOihwAndTiedLmHeadAbsent) {
  const Architecture a = arch_of("gemma3");
  const TensorLayout hf = expected_layout(a, LayoutKind::kTransformers);
  const LayoutMatch patch =
      match_tensor(hf, "vision_tower.vision_model.embeddings.patch_embedding.weight");
  ASSERT_NE(patch.entry, nullptr);
  EXPECT_EQ(patch.entry->shape, (std::vector<uint64_t>{128, 3, 4, 4}));
  const LayoutMatch head = match_tensor(hf, "language_model.lm_head.weight");
  ASSERT_NE(head.entry, nullptr);
  EXPECT_TRUE(head.entry->dropped_by_loader);  // tied by default: a stored one goes unused
  const TensorLayout mlx = expected_layout(a, LayoutKind::kMlx);  // kept: the match points in
  const LayoutMatch mlx_head = match_tensor(mlx, "language_model.lm_head.weight");
  ASSERT_NE(mlx_head.entry, nullptr);
  EXPECT_TRUE(mlx_head.entry->optional);
}

}  // namespace
}  // namespace medq
