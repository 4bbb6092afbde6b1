// Which layout a checkpoint's tensors follow — MLX's (mlx-lm / mlx-vlm) or transformers' (what
// `save_pretrained` writes) — detected from the tensors themselves, never from a folder name, and
// the renaming between its stored names and medq's logical names (the names of the expected
// layout, tensor_layout.hpp, which are MLX's). docs/formats.md §F says what each writer puts on
// disk.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medq/formats/safetensors.hpp"
#include "medq/model/architecture.hpp"

namespace medq {

struct Checkpoint;

enum class LayoutKind : uint8_t {
  kMlx,           ///< mlx-lm / mlx-vlm: convolutions channels-last, quantized modules packed
  kTransformers,  ///< transformers save_pretrained: PyTorch names and OIHW convolutions
  kUnknown,       ///< fits neither (most tensor names are not the architecture's in any layout)
};

std::string_view layout_kind_name(LayoutKind k);  // "mlx", "transformers", "unknown"

/// Prefix renames from a checkpoint's stored names to logical names. Empty for MLX checkpoints
/// and for transformers checkpoints whose names already are the logical ones (the causal LMs).
struct NameMap {
  struct Rule {
    std::string stored;   ///< prefix (or whole name) as stored
    std::string logical;  ///< what it stands for
  };
  std::vector<Rule> rules;

  /// The logical name of a stored one (itself when no rule applies).
  std::string to_logical(std::string_view stored) const;
  /// The stored name a logical one has in this checkpoint (for messages about missing tensors).
  std::string to_stored(std::string_view logical) const;
};

/// The order of a convolution weight's dimensions.
enum class ConvOrder : uint8_t {
  kOhwi,  ///< [out, kh, kw, in]: MLX (mlx-vlm VisionModel.sanitize transposes to it)
  kOihw,  ///< [out, in, kh, kw]: PyTorch's nn.Conv2d, as transformers saves it
};

struct CheckpointLayout {
  LayoutKind kind = LayoutKind::kMlx;
  NameMap names;
  ConvOrder conv = ConvOrder::kOhwi;
  /// What the decision rests on, for reports: "tensor names (model.language_model.*)",
  /// "packed weights (.scales)", "patch embedding [1152, 3, 14, 14] (OIHW)", "safetensors
  /// metadata (format: pt)", "names fit both; MLX assumed".
  std::string evidence;
  /// Tensors (quantization companions not counted) whose logical name the architecture expects,
  /// of `weights` in all; both 0 for unknown architectures.
  uint64_t recognized = 0, weights = 0;
  /// For kUnknown: up to three stored names that were not recognized.
  std::vector<std::string> unrecognized_examples;
};

/// Detects the layout of `tensors` (every weight file's tensors; duplicates allowed) for `arch`
/// (null or unknown family: only the packing and metadata are looked at, and the result is never
/// kUnknown). `formats`: the `format` values of the files' `__metadata__` ("pt", "mlx", ...).
CheckpointLayout detect_layout(std::span<const TensorInfo> tensors,
                               std::span<const std::string> formats, const Architecture* arch);

/// The same for a loaded checkpoint (duplicate weight files included: names are what count).
CheckpointLayout detect_layout(const Checkpoint& cp, const std::optional<Architecture>& arch);

/// The expected stored names of `arch` in both layouts, for the message of a tensor set that fits
/// neither: "language_model.model.layers.N.*, vision_tower.vision_model.* (MLX) or ...".
std::string expected_names_summary(const Architecture& arch);

}  // namespace medq
