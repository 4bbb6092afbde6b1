// Quantization config vs packed weights (issue 4, item 6): for every module stored quantized,
// the scheme mlx-lm's loader would give it must unpack the stored shapes to the input size the
// architecture expects, with scales/biases of the right shape and dtype. Findings are "quant.*".
#pragma once

#include <optional>
#include <span>

#include "medq/diag/finding.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

/// Checks the packed tensors against `quant` (nullopt: config.json claims no quantization) and,
/// where the architecture is known, against its expected input sizes. When the config's
/// (bits, group_size) do not fit the shapes, the finding names the schemes that do. Many modules
/// failing the same way are reported once, with a count and the first tensor. `config_label`
/// names config.json in findings about the config itself.
Findings check_quantization(const Architecture& arch, std::span<const TensorInfo> tensors,
                            const std::optional<QuantConfig>& quant,
                            std::string_view config_label = "config.json");

}  // namespace medq
