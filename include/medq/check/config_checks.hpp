// Config vs tensors: every tensor the resolved architecture expects is present
// with the right logical shape, nothing else is, and the decoder/encoder layers run exactly
// 0..N-1. Findings are "config.*" with the tensor name in Location.tensor.
#pragma once

#include <optional>
#include <span>

#include "medq/diag/finding.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint_layout.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

/// Compares `tensors` (all shards together) with the layout `arch` expects. Quantized weights
/// (U32 with `.scales`) are compared by their logical shape under the scheme `quant` resolves;
/// the packed input dimension is left to check_quantization when the quantization config, not
/// the tensor, is what is wrong. Unknown architectures get the architecture-independent checks
/// (embedding/lm_head/final norm shapes, decoder layer range). Location.file is left empty: the
/// caller knows which shard holds each tensor. `layout` (detect_layout(); detected from the
/// tensors alone when null) says which names and convolution order to expect; a tensor set that
/// fits no layout is one `config.unknown_layout` error instead of a finding per tensor.
Findings check_config_vs_tensors(const Architecture& arch, std::span<const TensorInfo> tensors,
                                 const std::optional<QuantConfig>& quant,
                                 const CheckpointLayout* layout = nullptr);

}  // namespace medq
