#include "medq/quality/model_weights.hpp"

#include <array>

namespace medq {

std::optional<ModelWeights> ModelWeights::open(std::shared_ptr<const Storage> storage,
                                               const LogicalTensors& tensors,
                                               const ForwardConfig& c, std::string* err) {
  // The text model's prefix, and where its lm_head sits beside it.
  struct Layout {
    std::string_view model, head;
  };
  constexpr std::array<Layout, 4> kLayouts = {{{"model.", "lm_head."},
                                               {"language_model.model.", "language_model.lm_head."},
                                               {"model.language_model.", "lm_head."},
                                               {"language_model.", "lm_head."}}};
  std::map<std::string_view, const LogicalTensor*> all;
  for (const auto& t : tensors.tensors) all.emplace(t.name, &t);
  for (const Layout& l : kLayouts) {
    if (!all.count(std::string(l.model) + "embed_tokens.weight")) continue;
    ModelWeights w;
    w.storage_ = storage;
    for (const auto& [name, t] : all) {
      if (name.starts_with(l.model)) w.by_name_.emplace(name.substr(l.model.size()), t);
      if (name.starts_with(l.head)) w.by_name_.emplace(name, t);
    }
    // A stored lm_head is used (mlx-vlm saves one even for tied Gemma 3); without one the
    // embedding is the output projection (tie_word_embeddings).
    w.lm_head_ = w.has(std::string(l.head) + "weight") ? std::string(l.head) + "weight"
                                                       : "embed_tokens.weight";
    // Every tensor the forward pass reads, so a missing one fails before any work.
    std::vector<std::string> need = {"embed_tokens.weight", "norm.weight"};
    for (uint64_t i = 0; i < c.layers; ++i) {
      const std::string p = "layers." + std::to_string(i) + ".";
      for (const char* n :
           {"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
            "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
            "mlp.down_proj.weight", "input_layernorm.weight", "post_attention_layernorm.weight"})
        need.push_back(p + n);
      if (c.qk_norm) {
        need.push_back(p + "self_attn.q_norm.weight");
        need.push_back(p + "self_attn.k_norm.weight");
      }
      if (c.family == ForwardFamily::kGemma3) {
        need.push_back(p + "pre_feedforward_layernorm.weight");
        need.push_back(p + "post_feedforward_layernorm.weight");
      }
    }
    for (const auto& n : need) {
      if (!w.has(n)) {
        *err = "tensor " + std::string(l.model) + n + " is missing";
        return std::nullopt;
      }
    }
    return w;
  }
  *err = "no embed_tokens.weight under model., language_model.model. or model.language_model.";
  return std::nullopt;
}

const LogicalTensor* ModelWeights::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

bool ModelWeights::has(std::string_view name) const { return find(name) != nullptr; }

std::optional<TensorReader> ModelWeights::reader(std::string_view name, std::string* err) const {
  const LogicalTensor* t = find(name);
  if (!t) {
    *err = "tensor " + std::string(name) + " is missing";
    return std::nullopt;
  }
  std::string e;
  auto r = TensorReader::open(*storage_, *t, &e);
  if (!r) *err = t->name + ": " + e;
  return r;
}

bool ModelWeights::check_shape(const TensorReader& r, std::string_view name, uint64_t rows,
                               uint64_t cols, std::string* err) const {
  if (r.rows() == rows && r.cols() == cols) return true;
  *err = find(name)->name + ": logical shape " + std::to_string(r.rows()) + " x " +
         std::to_string(r.cols()) + ", the config implies " + std::to_string(rows) + " x " +
         std::to_string(cols);
  return false;
}

bool ModelWeights::read(std::string_view name, uint64_t rows, uint64_t cols,
                        std::vector<float>& out, std::string* err) const {
  auto r = reader(name, err);
  if (!r || !check_shape(*r, name, rows, cols, err)) return false;
  std::string e;
  if (!r->read_rows(0, rows, out, &e)) {
    *err = find(name)->name + ": " + e;
    return false;
  }
  return true;
}

bool ModelWeights::read_encoded(std::string_view name, uint64_t rows, uint64_t cols,
                                EncodedRows& out, std::string* err) const {
  auto r = reader(name, err);
  if (!r || !check_shape(*r, name, rows, cols, err)) return false;
  std::string e;
  if (!r->read_encoded(0, rows, out, &e)) {
    *err = find(name)->name + ": " + e;
    return false;
  }
  return true;
}

}  // namespace medq
