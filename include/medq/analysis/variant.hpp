// One quantized variant of a model, measured from its files: what the quantization really is
// (from the packed tensors, not only from config.json), bytes, tensor and logical parameter
// counts per component, effective bits per weight and the validation verdict. The raw material
// of `medq compare`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "medq/check/validate.hpp"
#include "medq/formats/dtype.hpp"

namespace medq {

/// The parts a parameter count is broken down into.
enum class ModelPart : uint8_t { kLanguageModel, kEmbeddings, kVision, kProjector };
inline constexpr ModelPart kModelParts[] = {ModelPart::kLanguageModel, ModelPart::kEmbeddings,
                                            ModelPart::kVision, ModelPart::kProjector};
std::string_view model_part_name(ModelPart p);  // "language_model", "embeddings", ...
/// Which part a tensor name belongs to (by name, so it works for unknown architectures too):
/// vision tower, projector, token embedding / lm_head, else the language model.
ModelPart model_part_of(std::string_view tensor_name);

struct PartStats {
  uint64_t tensors = 0;
  uint64_t params = 0;  ///< logical parameters
  uint64_t bytes = 0;   ///< stored tensor bytes, scales and biases included
};

/// Linear/Embedding modules that share one storage scheme.
struct SchemeUse {
  std::string scheme;  ///< "affine 4-bit g64", "mxfp4 (4-bit g32)", or "float BF16" (unquantized)
  bool quantized = false;
  unsigned bits = 0;  ///< for sorting: quantized bits, or the float dtype's bits
  uint64_t modules = 0;
  uint64_t params = 0;
};

/// A tensor as the model sees it: logical (unpacked) shape and how it is stored.
struct TensorSummary {
  std::vector<uint64_t> shape;
  Dtype dtype = Dtype::BF16;          ///< the stored dtype (U32 when packed)
  std::optional<std::string> scheme;  ///< describe_scheme() when stored quantized
};

/// A file in the directory that is not part of the model as a loader reads it.
struct ExtraFile {
  std::string name;
  std::string why;  ///< "partial download", "duplicate weights", "unreferenced file", ...
  uint64_t bytes = 0;
};

struct VariantStats {
  std::string label;  ///< the directory as given
  std::string model_type;
  std::string config_quantization;  ///< what config.json claims, e.g. "affine 4-bit g64"; "none"
  std::vector<SchemeUse> schemes;   ///< measured from the tensors; quantized first, bits desc

  uint64_t directory_bytes = 0;
  uint64_t weight_file_bytes = 0;  ///< the weight files a loader reads (duplicates excluded)
  uint64_t weight_files = 0;
  uint64_t metadata_bytes = 0;   ///< config, tokenizer, index and other expected small files
  std::vector<ExtraFile> extra;  ///< largest first
  uint64_t extra_bytes = 0;

  /// The layout of the tensor names (MLX or transformers) and what the detection rests on.
  LayoutKind layout = LayoutKind::kMlx;
  std::string layout_evidence;

  uint64_t tensor_count = 0;  ///< distinct tensor names
  /// Of tensor_count: the `.scales` and `.biases` packed weights carry (not parameters).
  uint64_t companion_tensors = 0;
  uint64_t tensor_bytes = 0;  ///< their stored bytes
  uint64_t params = 0;        ///< logical parameters (packed weights unpacked; no scales/biases)
  std::map<ModelPart, PartStats> parts;
  uint64_t quantized_params = 0;          ///< parameters stored quantized
  uint64_t quantized_bytes = 0;           ///< their weight + scales + biases bytes
  std::optional<double> bits_quantized;   ///< quantized_bytes * 8 / quantized_params
  std::optional<double> bits_per_weight;  ///< tensor_bytes * 8 / params (what mlx-lm prints)
  /// Logical parameters whose scheme had to be inferred from the shapes because config.json
  /// contradicts them (validate reports why).
  uint64_t params_from_shapes = 0;
  Dtype activation_dtype = Dtype::BF16;  ///< most common float dtype of unquantized tensors

  size_t errors = 0;
  size_t warnings = 0;
  std::map<std::string, size_t> error_codes;  ///< error findings by code

  std::optional<Architecture> arch;
  /// By logical name (the same module of the same layer has the same key in every layout);
  /// .scales/.biases of packed weights are folded into their weight; a convolution's shape is
  /// given channels-last ([out, kh, kw, in]) whatever its stored order.
  std::map<std::string, TensorSummary> tensors;
};

/// Measures a validated directory. Never reads tensor data.
VariantStats analyze_variant(const Validation& v, std::string label);

/// Indices of variants, most precise first: bits per weight descending, unknown bits last, ties
/// in the given order. `bits_per_weight[i]` is variant i's VariantStats::bits_per_weight.
std::vector<size_t> precision_order(std::span<const std::optional<double>> bits_per_weight);

/// The most precise variant, precision_order()'s first; 0 when there is none.
size_t most_precise(std::span<const std::optional<double>> bits_per_weight);

}  // namespace medq
