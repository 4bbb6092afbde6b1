// The model architecture as a loader would see it: config.json resolved into the numbers that fix
// every tensor's shape, with each architecture's defaults filled in where keys are absent and a
// record of where every value came from. Problems with the config become findings ("config.*").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"

namespace medq {

/// Where a resolved value came from.
enum class ValueSource : uint8_t {
  kMissing,  ///< unknown: absent without a default, or present but unusable (see findings)
  kFile,     ///< read from config.json
  kDefault,  ///< the architecture's default for an absent key
  kDerived,  ///< computed from other values (head_dim = hidden_size / num_attention_heads, ...)
};

std::string_view value_source_name(ValueSource s);  // "missing", "file", "default", "derived"

/// One resolved config value. `pointer` is the JSON pointer the value was (or would be) read
/// from, so a finding about it can point into config.json.
template <typename T>
struct Field {
  T value{};
  ValueSource source = ValueSource::kMissing;
  std::string pointer;

  bool known() const { return source != ValueSource::kMissing; }
  /// The value when known, else nullopt.
  std::optional<T> get() const { return known() ? std::optional<T>(value) : std::nullopt; }
};

/// The architectures medq knows. Mistral is loaded by mlx-lm's llama code (MODEL_REMAPPING in
/// mlx_lm/utils.py) but keeps its own defaults table.
enum class Family : uint8_t {
  kUnknown,
  kGemma3,
  kGemma3Text,
  kLlama,
  kMistral,
  kQwen2,
  kQwen3,
  kPhi3
};

std::string_view family_name(Family f);  // "gemma3", "llama", ..., "unknown"

/// The decoder-only language model (the whole model for text-only architectures, the
/// `text_config` part of a multimodal one).
struct TextArchitecture {
  Field<uint64_t> hidden_size;
  Field<uint64_t> num_hidden_layers;
  Field<uint64_t> num_attention_heads;
  Field<uint64_t> num_key_value_heads;
  Field<uint64_t> head_dim;
  Field<uint64_t> intermediate_size;
  Field<uint64_t> vocab_size;
  Field<uint64_t> max_position_embeddings;
  Field<bool> tie_word_embeddings;
  Field<bool> attention_bias;      ///< llama/mistral q/k/v/o biases (mlx-lm `attention_bias`)
  Field<bool> mlp_bias;            ///< llama/mistral gate/up/down biases (mlx-lm `mlp_bias`)
  Field<double> rms_norm_eps;      ///< optional: only some loaders default it
  Field<uint64_t> sliding_window;  ///< window size, when the architecture has one
  Field<uint64_t> sliding_window_pattern;  ///< Gemma 3: every Nth layer is global
  /// One entry per layer (empty when num_hidden_layers is unknown or implausibly large): true
  /// when the layer uses sliding-window attention.
  std::vector<bool> sliding_layers;
};

/// The SigLIP vision tower of a multimodal model.
struct VisionArchitecture {
  Field<uint64_t> hidden_size;
  Field<uint64_t> num_hidden_layers;
  Field<uint64_t> num_attention_heads;
  Field<uint64_t> intermediate_size;
  Field<uint64_t> patch_size;
  Field<uint64_t> image_size;
  Field<uint64_t> num_channels;
};

/// What joins the vision tower to the language model.
struct ProjectorArchitecture {
  Field<uint64_t> mm_tokens_per_image;
  Field<uint64_t> image_token_index;
};

struct Architecture {
  std::string model_type;  ///< as written in config.json ("" when absent)
  Family family = Family::kUnknown;
  /// Pointer prefix of the text part: "/text_config" for nested configs, "" otherwise.
  std::string text_pointer;
  TextArchitecture text;
  std::optional<VisionArchitecture> vision;        ///< multimodal models only
  std::optional<ProjectorArchitecture> projector;  ///< multimodal models only

  bool multimodal() const { return vision.has_value(); }
};

struct ArchitectureResult {
  Architecture arch;
  Findings findings;
};

/// Above this many layers the per-layer tables are not built (a hostile config could ask for
/// billions); the count is still reported and checked.
inline constexpr uint64_t kMaxLayers = 100'000;

/// Resolves config.json. Never throws on a bad config: wrong-typed, non-positive or inconsistent
/// values become findings with a JSON pointer into `file_label`, and the value is then unknown
/// (or, for a key the loader would reject as absent, the reference default is assumed so the
/// remaining checks still run).
ArchitectureResult resolve_architecture(const nlohmann::json& config,
                                        std::string_view file_label = "config.json");

}  // namespace medq
