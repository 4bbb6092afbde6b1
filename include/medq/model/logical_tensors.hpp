// The tensors of a checkpoint as the model sees them: a packed weight together with its scales
// and biases and the scheme that unpacks it, or a plain float tensor; each name once, from the
// weight files a loader reads (duplicated weight files skipped). Shared by the size analysis,
// the deep data scan and the fidelity comparison.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/checkpoint_layout.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

/// One stored tensor and the file it is in.
struct StoredTensor {
  const TensorInfo* info = nullptr;
  const WeightFile* file = nullptr;
  /// Absolute offset of the tensor's first data byte in its file.
  uint64_t file_offset() const;
};

struct LogicalTensor {
  std::string name;  ///< as stored
  /// The name by meaning (CheckpointLayout::names): the same module of the same layer has the
  /// same logical name in an MLX and a transformers checkpoint.
  std::string logical_name;
  /// Set for a convolution weight (the patch embedding): the order of its dimensions.
  std::optional<ConvOrder> conv;
  StoredTensor data;  ///< the tensor itself (the packed U32 `.weight` when quantized)
  std::optional<StoredTensor> scales;
  std::optional<StoredTensor> biases;
  /// Set when `data` is a packed weight with scales: the scheme that unpacks it.
  std::optional<QuantScheme> scheme;
  /// The scheme had to be inferred from the shapes (config.json unreadable or contradicted).
  bool scheme_from_shapes = false;
  std::vector<uint64_t> shape;  ///< logical shape (unpacked)
  uint64_t params = 0;          ///< product of `shape`

  bool quantized() const { return scheme.has_value(); }
  /// Stored bytes: data + scales + biases.
  uint64_t stored_bytes() const;
};

struct LogicalTensors {
  /// Sorted by name. Scales and biases of packed weights are folded into their weight.
  std::vector<LogicalTensor> tensors;
  /// Weight files skipped because every tensor in them is also in another file.
  std::vector<std::string> duplicate_files;
  /// The layout the names follow (detect_layout()).
  CheckpointLayout layout;
};

/// Groups the checkpoint `cp` into logical tensors. Uses the quantization settings `quant` and
/// the resolved architecture `arch` (either may be absent) to resolve schemes as mlx-lm's loader
/// does; never reads tensor data.
LogicalTensors logical_tensors(const Checkpoint& cp, const std::optional<QuantConfig>& quant,
                               const std::optional<Architecture>& arch);

}  // namespace medq
