// The tensors an architecture expects in a checkpoint: names as mlx-lm (text-only models) and
// mlx-vlm (gemma3) save them — medq's logical names; a transformers checkpoint's names are renamed
// to them (checkpoint_layout.hpp) — logical shapes from the resolved config (a transformers
// checkpoint's convolutions in PyTorch's order), and which ones are Linear/Embedding weights that
// may be stored quantized. Per-layer tensors are kept as one template per stack, so a hostile
// layer count never allocates per layer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint_layout.hpp"

namespace medq {

/// Which part of the model a tensor belongs to.
enum class Component : uint8_t {
  kEmbedding,      ///< token embedding
  kLanguageModel,  ///< attention and MLP projections of the decoder layers
  kNorm,           ///< norms of the language model
  kLmHead,         ///< output projection
  kVision,         ///< vision tower (SigLIP), including its norms
  kProjector,      ///< multimodal projector
};

std::string_view component_name(Component c);  // "embedding", "language_model", ...

struct ExpectedTensor {
  /// Full tensor name for global entries; for per-layer entries the part after "<prefix><i>.".
  std::string name;
  /// Logical (unquantized) shape; a 0 entry is a dimension the config does not determine (not
  /// compared).
  std::vector<uint64_t> shape;
  /// The shape in config terms, e.g. "[num_attention_heads*head_dim, hidden_size]", for messages.
  std::string formula;
  Component component = Component::kLanguageModel;
  /// A Linear/Embedding `.weight`: mlx may store it packed (U32) with `.scales` (+ `.biases`).
  bool quantizable = false;
  /// The loader accepts a checkpoint without it (Gemma's lm_head, filled from embed_tokens).
  bool optional = false;
  /// The loader drops it when present (a tied model's lm_head.weight, mlx-lm `sanitize`).
  bool dropped_by_loader = false;
};

/// The layers of one decoder/encoder: tensors named "<prefix><i>.<entry.name>", i in 0..count-1.
struct LayerStack {
  std::string prefix;             ///< e.g. "model.layers."
  std::optional<uint64_t> count;  ///< unknown when the config's layer count is unusable
  std::vector<ExpectedTensor> per_layer;
  std::map<std::string, size_t, std::less<>> index;  ///< per_layer entry by name
};

struct TensorLayout {
  /// False for unknown architectures: nothing is expected and only generic checks run.
  bool known = false;
  /// Where the names come from (model code), for messages and docs.
  std::string source;
  std::vector<ExpectedTensor> globals;
  std::map<std::string, size_t, std::less<>> global_index;
  std::vector<LayerStack> stacks;
};

/// What a tensor name corresponds to in a layout.
struct LayoutMatch {
  const ExpectedTensor* entry = nullptr;  ///< null when the name is not expected
  const LayerStack* stack = nullptr;      ///< set when the name is "<prefix><i>...."
  std::optional<uint64_t> layer;          ///< the layer index i (may be >= stack->count)
};

/// The expected tensors of `arch` in the layout `kind` (kUnknown: as kMlx), by logical name.
/// Dimensions that overflow or depend on unknown values are 0.
TensorLayout expected_layout(const Architecture& arch, LayoutKind kind = LayoutKind::kMlx);

/// Looks a tensor name (a `.weight`, `.bias`, ... name, not `.scales`) up in `layout`. A name
/// under a stack prefix gets `stack` and `layer` even when the rest of the name is unknown.
LayoutMatch match_tensor(const TensorLayout& layout, std::string_view name);

/// Every expected tensor with full names, layers expanded (at most kMaxLayers per stack). For
/// tests and small models.
std::vector<ExpectedTensor> expand_layout(const TensorLayout& layout);

}  // namespace medq
