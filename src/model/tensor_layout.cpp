// Tensor names are facts read from the model code that saves/loads MLX checkpoints:
// - mlx-lm mlx_lm/models/{llama,qwen2,qwen3,phi3,gemma3_text}.py (Model -> model.{embed_tokens,
//   layers.N.{self_attn,mlp,*_layernorm},norm}, lm_head when not tied);
// - mlx-vlm mlx_vlm/models/gemma3/{gemma3,language,vision}.py (language_model.*, vision_tower.
//   vision_model.{embeddings,encoder.layers.N,post_layernorm}, multi_modal_projector.*), with the
//   Conv2d patch embedding stored channels-last [out, kh, kw, in] (VisionModel.sanitize);
// - transformers modeling_{gemma3,llama,mistral,qwen2,qwen3,phi3}.py for checkpoints that
//   save_pretrained wrote: the same modules (renamed to these names, checkpoint_layout.cpp), the
//   patch embedding as nn.Conv2d keeps it, [out, in, kh, kw], and the tied lm_head never saved.
#include "medq/model/tensor_layout.hpp"

#include <fmt/format.h>

#include "medq/io/checked.hpp"

namespace medq {

std::string_view component_name(Component c) {
  switch (c) {
    case Component::kEmbedding:
      return "embedding";
    case Component::kLanguageModel:
      return "language_model";
    case Component::kNorm:
      return "norm";
    case Component::kLmHead:
      return "lm_head";
    case Component::kVision:
      return "vision";
    case Component::kProjector:
      return "projector";
  }
  return "language_model";
}

namespace {

uint64_t dim(const Field<uint64_t>& f) { return f.known() ? f.value : 0; }

/// a * b with 0 for unknown or overflow.
uint64_t mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return checked_mul(a, b).value_or(0);
}
uint64_t add(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return checked_add(a, b).value_or(0);
}

struct Builder {
  std::vector<ExpectedTensor>* out;

  ExpectedTensor& put(std::string name, std::vector<uint64_t> shape, std::string formula,
                      Component c, bool quantizable = false) {
    ExpectedTensor t;
    t.name = std::move(name);
    t.shape = std::move(shape);
    t.formula = std::move(formula);
    t.component = c;
    t.quantizable = quantizable;
    out->push_back(std::move(t));
    return out->back();
  }
  /// A Linear: `.weight` [out, in] (quantizable) and, with `bias`, `.bias` [out].
  void linear(const std::string& path, uint64_t out_dim, std::string_view out_f, uint64_t in_dim,
              std::string_view in_f, Component c, bool bias) {
    put(path + ".weight", {out_dim, in_dim}, fmt::format("[{}, {}]", out_f, in_f), c, true);
    if (bias) put(path + ".bias", {out_dim}, fmt::format("[{}]", out_f), c);
  }
};

constexpr std::string_view kH = "hidden_size", kQ = "num_attention_heads*head_dim",
                           kKV = "num_key_value_heads*head_dim", kI = "intermediate_size",
                           kQkv = "(num_attention_heads+2*num_key_value_heads)*head_dim";
constexpr const char* kVH = "[vision hidden_size]";

void index_stack(LayerStack& s) {
  for (size_t i = 0; i < s.per_layer.size(); ++i) s.index.emplace(s.per_layer[i].name, i);
}

/// The decoder layers and globals of the language model, names prefixed by `root`
/// ("" for mlx-lm, "language_model." for mlx-vlm gemma3).
void add_text(const Architecture& a, const std::string& root, LayoutKind kind, TensorLayout& l) {
  const TextArchitecture& t = a.text;
  const Family f = a.family;
  const bool gemma = f == Family::kGemma3 || f == Family::kGemma3Text;
  const uint64_t hidden = dim(t.hidden_size), hd = dim(t.head_dim),
                 heads = dim(t.num_attention_heads), kv = dim(t.num_key_value_heads),
                 inter = dim(t.intermediate_size), vocab = dim(t.vocab_size);
  const uint64_t q_out = mul(heads, hd), kv_out = mul(kv, hd);

  Builder g{&l.globals};
  g.put(root + "model.embed_tokens.weight", {vocab, hidden}, "[vocab_size, hidden_size]",
        Component::kEmbedding, true);
  g.put(root + "model.norm.weight", {hidden}, "[hidden_size]", Component::kNorm);
  ExpectedTensor& head = g.put(root + "lm_head.weight", {vocab, hidden},
                               "[vocab_size, hidden_size]", Component::kLmHead, true);
  const bool tied = t.tie_word_embeddings.known() && t.tie_word_embeddings.value;
  if (gemma && kind != LayoutKind::kTransformers) {
    // Gemma's Model/LanguageModel always has an lm_head; sanitize copies embed_tokens into it
    // when the checkpoint has none.
    head.optional = true;
  } else if (tied) {
    // transformers ties lm_head to the embedding after loading, so a stored one goes unused.
    // mlx-lm (llama/qwen2/qwen3/phi3 Model): no lm_head module when tied; sanitize pops
    // lm_head.weight.
    head.dropped_by_loader = true;
  } else if (!t.tie_word_embeddings.known()) {
    head.optional = true;
  }

  LayerStack s;
  s.prefix = root + "model.layers.";
  s.count = t.num_hidden_layers.get();
  Builder b{&s.per_layer};
  const Component lm = Component::kLanguageModel;
  const bool attn_bias = t.attention_bias.known() && t.attention_bias.value;
  const bool mlp_bias = t.mlp_bias.known() && t.mlp_bias.value;
  if (f == Family::kPhi3) {
    // phi3.py Attention: one fused qkv_proj of (heads + 2 kv) * head_dim rows, no biases.
    b.linear("self_attn.qkv_proj", add(q_out, mul(2, kv_out)), kQkv, hidden, kH, lm, false);
    b.linear("self_attn.o_proj", hidden, kH, q_out, kQ, lm, false);
    b.linear("mlp.gate_up_proj", mul(2, inter), "2*intermediate_size", hidden, kH, lm, false);
    b.linear("mlp.down_proj", hidden, kH, inter, kI, lm, false);
  } else {
    // qwen2.py: q/k/v with bias=True, o_proj without; llama.py: attention_bias on all four.
    const bool qkv_bias = f == Family::kQwen2 ? true : attn_bias;
    const bool o_bias = f == Family::kQwen2 ? false : attn_bias;
    b.linear("self_attn.q_proj", q_out, kQ, hidden, kH, lm, qkv_bias);
    b.linear("self_attn.k_proj", kv_out, kKV, hidden, kH, lm, qkv_bias);
    b.linear("self_attn.v_proj", kv_out, kKV, hidden, kH, lm, qkv_bias);
    b.linear("self_attn.o_proj", hidden, kH, q_out, kQ, lm, o_bias);
    b.linear("mlp.gate_proj", inter, kI, hidden, kH, lm, mlp_bias);
    b.linear("mlp.up_proj", inter, kI, hidden, kH, lm, mlp_bias);
    b.linear("mlp.down_proj", hidden, kH, inter, kI, lm, mlp_bias);
  }
  if (f == Family::kQwen3 || gemma) {
    // qwen3.py / gemma3 Attention: RMSNorm(head_dim) on queries and keys.
    b.put("self_attn.q_norm.weight", {hd}, "[head_dim]", Component::kNorm);
    b.put("self_attn.k_norm.weight", {hd}, "[head_dim]", Component::kNorm);
  }
  b.put("input_layernorm.weight", {hidden}, "[hidden_size]", Component::kNorm);
  b.put("post_attention_layernorm.weight", {hidden}, "[hidden_size]", Component::kNorm);
  if (gemma) {
    b.put("pre_feedforward_layernorm.weight", {hidden}, "[hidden_size]", Component::kNorm);
    b.put("post_feedforward_layernorm.weight", {hidden}, "[hidden_size]", Component::kNorm);
  }
  index_stack(s);
  l.stacks.push_back(std::move(s));
}

/// mlx-vlm gemma3: SigLIP tower (vision.py) and Gemma3MultiModalProjector (gemma3.py).
void add_vision(const Architecture& a, LayoutKind kind, TensorLayout& l) {
  const VisionArchitecture& v = *a.vision;
  const uint64_t vh = dim(v.hidden_size), vi = dim(v.intermediate_size), p = dim(v.patch_size),
                 ch = dim(v.num_channels), th = dim(a.text.hidden_size);
  uint64_t positions = 0;
  if (v.image_size.known() && v.patch_size.known()) {
    const uint64_t side = v.image_size.value / v.patch_size.value;
    positions = mul(side, side);  // VisionEmbeddings.num_positions = (image // patch) ** 2
  }
  const std::string root = "vision_tower.vision_model.";
  const Component vc = Component::kVision;
  Builder g{&l.globals};
  if (kind == LayoutKind::kTransformers) {
    // nn.Conv2d's weight, [out, in, kh, kw].
    g.put(root + "embeddings.patch_embedding.weight", {vh, ch, p, p},
          "[vision hidden_size, num_channels, patch_size, patch_size]", vc);
  } else {
    // MLX's Conv2d weight, channels-last [out, kh, kw, in].
    g.put(root + "embeddings.patch_embedding.weight", {vh, p, p, ch},
          "[vision hidden_size, patch_size, patch_size, num_channels]", vc);
  }
  g.put(root + "embeddings.patch_embedding.bias", {vh}, kVH, vc);
  g.put(root + "embeddings.position_embedding.weight", {positions, vh},
        "[(image_size/patch_size)^2, vision hidden_size]", vc, true);
  g.put(root + "post_layernorm.weight", {vh}, kVH, vc);
  g.put(root + "post_layernorm.bias", {vh}, kVH, vc);
  g.put("multi_modal_projector.mm_input_projection_weight", {vh, th},
        "[vision hidden_size, text hidden_size]", Component::kProjector);
  g.put("multi_modal_projector.mm_soft_emb_norm.weight", {vh}, kVH, Component::kProjector);

  LayerStack s;
  s.prefix = root + "encoder.layers.";
  s.count = v.num_hidden_layers.get();
  Builder b{&s.per_layer};
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
    b.linear(std::string("self_attn.") + proj, vh, "vision hidden_size", vh, "vision hidden_size",
             vc, true);
  }
  b.put("layer_norm1.weight", {vh}, kVH, vc);
  b.put("layer_norm1.bias", {vh}, kVH, vc);
  b.put("layer_norm2.weight", {vh}, kVH, vc);
  b.put("layer_norm2.bias", {vh}, kVH, vc);
  b.linear("mlp.fc1", vi, "vision intermediate_size", vh, "vision hidden_size", vc, true);
  b.linear("mlp.fc2", vh, "vision hidden_size", vi, "vision intermediate_size", vc, true);
  index_stack(s);
  l.stacks.push_back(std::move(s));
}

/// Parses "<digits>." at the start of `rest` (no leading zeros, no overflow).
std::optional<uint64_t> parse_layer(std::string_view rest, size_t& consumed) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
    if (i > 0 && rest[0] == '0') return std::nullopt;
    auto m = checked_mul(v, 10);
    if (!m) return std::nullopt;
    auto s = checked_add(*m, static_cast<uint64_t>(rest[i] - '0'));
    if (!s) return std::nullopt;
    v = *s;
    ++i;
  }
  if (i == 0 || i >= rest.size() || rest[i] != '.') return std::nullopt;
  consumed = i + 1;
  return v;
}

}  // namespace

TensorLayout expected_layout(const Architecture& a, LayoutKind kind) {
  TensorLayout l;
  const bool hf = kind == LayoutKind::kTransformers;
  switch (a.family) {
    case Family::kUnknown:
      return l;
    case Family::kGemma3:
      l.source = hf ? "transformers modeling_gemma3.py (Gemma3ForConditionalGeneration)"
                    : "mlx-vlm mlx_vlm/models/gemma3 (gemma3.py, language.py, vision.py)";
      add_text(a, "language_model.", kind, l);
      if (a.vision) add_vision(a, kind, l);
      break;
    default:
      if (hf) {
        l.source = a.family == Family::kGemma3Text
                       ? std::string("transformers modeling_gemma3.py (Gemma3ForCausalLM)")
                       : fmt::format("transformers modeling_{}.py", family_name(a.family));
      } else {
        l.source = std::string("mlx-lm mlx_lm/models/") +
                   std::string(a.family == Family::kMistral ? "llama" : family_name(a.family)) +
                   ".py";
      }
      add_text(a, "", kind, l);
      break;
  }
  l.known = true;
  for (size_t i = 0; i < l.globals.size(); ++i) l.global_index.emplace(l.globals[i].name, i);
  return l;
}

LayoutMatch match_tensor(const TensorLayout& layout, std::string_view name) {
  LayoutMatch m;
  if (auto it = layout.global_index.find(name); it != layout.global_index.end()) {
    m.entry = &layout.globals[it->second];
    return m;
  }
  for (const LayerStack& s : layout.stacks) {
    if (name.size() <= s.prefix.size() || name.substr(0, s.prefix.size()) != s.prefix) continue;
    size_t consumed = 0;
    const auto idx = parse_layer(name.substr(s.prefix.size()), consumed);
    if (!idx) continue;
    m.stack = &s;
    m.layer = idx;
    const std::string_view rest = name.substr(s.prefix.size() + consumed);
    if (auto it = s.index.find(rest); it != s.index.end()) m.entry = &s.per_layer[it->second];
    return m;
  }
  return m;
}

std::vector<ExpectedTensor> expand_layout(const TensorLayout& layout) {
  std::vector<ExpectedTensor> all = layout.globals;
  for (const LayerStack& s : layout.stacks) {
    if (!s.count || *s.count > kMaxLayers) continue;
    for (uint64_t i = 0; i < *s.count; ++i) {
      for (const ExpectedTensor& e : s.per_layer) {
        ExpectedTensor t = e;
        t.name = s.prefix + std::to_string(i) + "." + e.name;
        all.push_back(std::move(t));
      }
    }
  }
  return all;
}

}  // namespace medq
