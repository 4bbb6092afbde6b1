// Per-architecture defaults for absent config.json keys (private to src/model). Each entry says
// what the loader that runs an MLX checkpoint does when the key is missing (mlx-lm for text-only
// models, mlx-vlm for gemma3) and, where that loader has no default, which reference default
// (transformers) medq assumes so that the remaining checks can still run.
#pragma once

#include <cstdint>
#include <string_view>

#include "medq/model/architecture.hpp"

namespace medq::detail {

enum class Rule : uint8_t {
  kValue,                  ///< the loader's default is `value`
  kRequired,               ///< the loader has no default (absent key = load error); `value` is the
                           ///< reference default assumed afterwards
  kFromHeads,              ///< absent → num_attention_heads
  kHiddenOverHeads,        ///< absent → hidden_size / num_attention_heads
  kAlwaysHiddenOverHeads,  ///< the loader ignores the key and uses hidden_size / heads
  kNone,                   ///< no default; stays unknown
};

struct IntDefault {
  Rule rule = Rule::kNone;
  uint64_t value = 0;
};
struct BoolDefault {
  Rule rule = Rule::kNone;
  bool value = false;
};
struct RealDefault {
  Rule rule = Rule::kNone;
  double value = 0;
};

struct TextDefaults {
  Family family = Family::kUnknown;
  std::string_view loader;     ///< the class whose defaults apply, for messages
  std::string_view reference;  ///< the reference class used for kRequired fallbacks
  IntDefault hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim,
      intermediate_size, vocab_size, max_position_embeddings, sliding_window,
      sliding_window_pattern;
  BoolDefault tie_word_embeddings, attention_bias, mlp_bias;
  RealDefault rms_norm_eps;
  bool nested = false;  ///< text values live under /text_config
};

struct VisionDefaults {
  std::string_view loader, reference;
  IntDefault hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, patch_size,
      image_size, num_channels;
};

struct ProjectorDefaults {
  IntDefault mm_tokens_per_image, image_token_index;
};

/// The family for a model_type string (kUnknown when medq does not know it).
Family family_for_model_type(std::string_view model_type);

/// Defaults of the text part; for kUnknown a generic decoder (kv = heads, head_dim = hidden/heads,
/// everything else without a default).
const TextDefaults& text_defaults(Family f);

/// Gemma 3's SigLIP tower and projector (the only multimodal family for now).
const VisionDefaults& gemma3_vision_defaults();
const ProjectorDefaults& gemma3_projector_defaults();

}  // namespace medq::detail
