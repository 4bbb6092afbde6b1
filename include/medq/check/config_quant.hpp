// The config and quantization checks in one call, for `medq validate`: resolve the architecture and
// the quantization config from config.json, then check the checkpoint's tensors against both.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/checkpoint_layout.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

struct ConfigQuantResult {
  Architecture arch;
  std::optional<QuantConfig> quant;
  /// The layout the tensors follow (detect_layout() on their names, shapes and file metadata).
  CheckpointLayout layout;
  /// Findings of resolve_architecture, parse_quantization, check_config_vs_tensors and
  /// check_quantization; a finding about a tensor carries the weight file that holds it.
  Findings findings;
};

/// Runs the config and quantization checks on `config` (config.json, already parsed) and
/// `tensors` (Checkpoint::tensors()). When a tensor name occurs in several files the first is
/// checked (duplicates are the directory checks' business).
ConfigQuantResult check_config_and_quantization(const nlohmann::json& config,
                                                std::span<const Checkpoint::Entry> tensors,
                                                std::string_view config_label = "config.json");

}  // namespace medq
