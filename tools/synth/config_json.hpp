// config.json as mlx-lm / mlx-vlm save it: the model's Hugging Face config (for the replica, the
// values of google/medgemma-4b-it) plus, when quantized, `quantization` and an identical
// `quantization_config` holding the global scheme and per-module overrides (docs/formats.md §B.6).
#pragma once

#include <nlohmann/json.hpp>

#include "arch.hpp"
#include "quant_plan.hpp"

namespace medq::synth {

/// The config without quantization entries.
nlohmann::json base_config(const Arch& arch);

/// The `quantization` dict for `plan` (null when unquantized).
nlohmann::json quantization_json(const QuantPlan& plan);

/// The full config.json content.
nlohmann::json make_config(const Arch& arch, const QuantPlan& plan);

}  // namespace medq::synth
