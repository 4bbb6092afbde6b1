// Test helpers: small configs for every supported architecture and the tensor list mlx-lm /
// mlx-vlm would write for them, float or quantized at a given scheme. Only names, dtypes and
// shapes matter to the checks, so no data is produced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/formats/safetensors.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/quantization.hpp"
#include "medq/model/tensor_layout.hpp"

namespace medq::testing {

/// A small but complete config.json for `model_type` (every size key present, dims multiples of
/// 128 so every group size divides them). gemma3 is nested with a SigLIP vision_config.
inline nlohmann::json small_config(const std::string& model_type) {
  nlohmann::json text = {{"hidden_size", 256},       {"num_hidden_layers", 3},
                         {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                         {"intermediate_size", 512}, {"vocab_size", 512},
                         {"rms_norm_eps", 1e-6},     {"max_position_embeddings", 4096}};
  if (model_type == "qwen3") {
    text["head_dim"] = 64;
    text["rope_theta"] = 1000000.0;
    text["tie_word_embeddings"] = true;
  }
  if (model_type == "phi3") text["tie_word_embeddings"] = false;
  if (model_type == "gemma3_text") text["head_dim"] = 64;
  if (model_type != "gemma3") {
    text["model_type"] = model_type;
    return text;
  }
  text["model_type"] = "gemma3_text";
  text["head_dim"] = 64;
  return {{"model_type", "gemma3"},
          {"text_config", text},
          {"vision_config",
           {{"model_type", "siglip_vision_model"},
            {"hidden_size", 128},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 2},
            {"intermediate_size", 256},
            {"patch_size", 4},
            {"image_size", 16}}},
          {"mm_tokens_per_image", 4},
          {"image_token_index", 262144}};
}

// The shape of google/medgemma-4b-it's config.json: the text part omits heads, kv heads,
// head_dim and vocab_size, which must come from Gemma 3's defaults.
inline nlohmann::json medgemma_4b_config() {
  return nlohmann::json::parse(R"({
    "architectures": ["Gemma3ForConditionalGeneration"],
    "boi_token_index": 255999,
    "eoi_token_index": 256000,
    "eos_token_id": [1, 106],
    "image_token_index": 262144,
    "initializer_range": 0.02,
    "mm_tokens_per_image": 256,
    "model_type": "gemma3",
    "text_config": {
      "attention_bias": false,
      "final_logit_softcapping": null,
      "hidden_size": 2560,
      "intermediate_size": 10240,
      "model_type": "gemma3_text",
      "num_hidden_layers": 34,
      "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
      "sliding_window": 1024
    },
    "torch_dtype": "bfloat16",
    "vision_config": {
      "hidden_size": 1152,
      "image_size": 896,
      "intermediate_size": 4304,
      "model_type": "siglip_vision_model",
      "num_attention_heads": 16,
      "num_hidden_layers": 27,
      "patch_size": 14,
      "vision_use_head": false
    }
  })");
}

/// The model types medq supports.
inline std::vector<std::string> supported_types() {
  return {"gemma3", "gemma3_text", "llama", "mistral", "qwen2", "qwen3", "phi3"};
}

inline TensorInfo tensor(std::string name, Dtype d, std::vector<uint64_t> shape) {
  TensorInfo t;
  t.name = std::move(name);
  t.dtype = d;
  t.shape = std::move(shape);
  return t;
}

/// Appends `<module>.weight/.scales/.biases` for a Linear/Embedding of logical `shape` stored
/// with `s` (scales in `scale_dtype` for affine, U8 otherwise).
inline void add_packed(std::vector<TensorInfo>& out, const std::string& module,
                       std::vector<uint64_t> shape, const QuantScheme& s,
                       Dtype scale_dtype = Dtype::BF16) {
  std::vector<uint64_t> w = shape, sc = shape;
  w.back() = shape.back() * s.bits / 32;
  sc.back() = shape.back() / s.group_size;
  out.push_back(tensor(module + ".weight", Dtype::U32, w));
  const bool affine = s.mode == QuantMode::kAffine;
  out.push_back(tensor(module + ".scales", affine ? scale_dtype : Dtype::U8, sc));
  if (affine) out.push_back(tensor(module + ".biases", scale_dtype, sc));
}

/// The tensors a converter writes for `arch`: every required expected tensor; quantizable
/// weights of the language model packed with `q` when given (mlx-vlm keeps the vision tower and
/// projector float, docs/formats.md §B.7).
inline std::vector<TensorInfo> model_tensors(const Architecture& arch,
                                             std::optional<QuantScheme> q = std::nullopt) {
  std::vector<TensorInfo> out;
  for (const ExpectedTensor& e : expand_layout(expected_layout(arch))) {
    if (e.optional || e.dropped_by_loader) continue;
    const bool quantize = q && e.quantizable && e.component != Component::kVision &&
                          e.component != Component::kProjector;
    if (quantize) {
      add_packed(out, e.name.substr(0, e.name.size() - 7), e.shape, *q);
    } else {
      out.push_back(tensor(e.name, Dtype::BF16, e.shape));
    }
  }
  return out;
}

/// Removes the tensor called `name`; returns whether it was there.
inline bool erase_tensor(std::vector<TensorInfo>& ts, const std::string& name) {
  return std::erase_if(ts, [&](const TensorInfo& t) { return t.name == name; }) > 0;
}

inline TensorInfo* find_tensor(std::vector<TensorInfo>& ts, const std::string& name) {
  for (TensorInfo& t : ts) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

/// The codes of `f`, for assertions with readable failure output.
inline std::vector<std::string> codes(const Findings& f) {
  std::vector<std::string> c;
  for (const Finding& x : f) c.push_back(x.code);
  return c;
}

inline std::string dump(const Findings& f) {
  std::string s;
  for (const Finding& x : f) {
    s += x.code + " [" + x.where.json_pointer + "|" + x.where.tensor + "] " + x.message + "\n";
  }
  return s;
}

}  // namespace medq::testing
