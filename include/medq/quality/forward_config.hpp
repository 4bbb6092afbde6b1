// What the forward pass needs from config.json: the decoder's dimensions, its norms, its
// attention pattern (sliding-window and global layers) and RoPE, read with transformers' own
// defaults. Anything the forward pass cannot evaluate exactly is refused by name, never ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medq {

/// The two decoder families of the forward pass (docs/quality.md).
enum class ForwardFamily : uint8_t {
  kLlama,  ///< llama, mistral, qwen2, qwen3: modeling_llama.py and its copies
  kGemma3  ///< gemma3_text and the language model of gemma3: modeling_gemma3.py
};

/// RoPE of one layer type: inverse frequencies follow from these (modeling_rope_utils.py).
struct RopeConfig {
  double theta = 10000.0;
  enum class Type : uint8_t { kDefault, kLinear, kLlama3 } type = Type::kDefault;
  double factor = 1.0;                                   ///< linear and llama3
  double low_freq_factor = 1.0, high_freq_factor = 4.0;  ///< llama3
  double original_max_position_embeddings = 8192;        ///< llama3
};

struct ForwardConfig {
  std::string model_type;  ///< "llama", "gemma3_text", ... (the text model's)
  ForwardFamily family = ForwardFamily::kLlama;
  uint64_t hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
  uint64_t vocab = 0;
  double rms_norm_eps = 1e-6;
  bool qk_norm = false;        ///< qwen3, gemma3: RMSNorm over each head of q and k
  double attention_scale = 0;  ///< multiplies q.k: head_dim^-0.5, or query_pre_attn_scalar^-0.5
  std::optional<uint64_t> sliding_window;  ///< tokens a sliding layer sees, itself included
  std::vector<bool> sliding_layers;        ///< per layer: uses the sliding window
  RopeConfig rope_global;                  ///< full-attention layers
  RopeConfig rope_sliding;  ///< sliding layers (Gemma 3's local base); = global otherwise
};

/// Reads `config` (the whole config.json; a multimodal gemma3's `text_config` is used). Returns
/// nullopt with `*refusal` naming the key and value when the model cannot be evaluated.
std::optional<ForwardConfig> parse_forward_config(const nlohmann::json& config,
                                                  std::string* refusal);

/// RoPE inverse frequencies (head_dim / 2 values), as transformers computes them in float32.
std::vector<float> rope_inv_freq(const RopeConfig& r, uint64_t head_dim);

}  // namespace medq
