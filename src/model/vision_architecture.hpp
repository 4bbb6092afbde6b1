// The vision tower and multimodal projector parts of a config (private to src/model): SigLIP
// sizes under vision_config and the Gemma 3 projector facts, with their defaults and checks.
#pragma once

#include <nlohmann/json.hpp>

#include "medq/model/architecture.hpp"
#include "medq/model/config_json.hpp"

namespace medq::detail {

/// Resolves `obj` (vision_config) at pointer `prefix`; `known_family` selects Gemma 3's SigLIP
/// defaults, otherwise nothing is defaulted.
VisionArchitecture resolve_vision(const nlohmann::json& obj, const std::string& prefix,
                                  bool known_family, const FindingSink& sink);

/// Gemma 3's projector facts (top level, then text_config) and the pooling constraint.
ProjectorArchitecture resolve_projector(const nlohmann::json& config,
                                        const nlohmann::json& text_obj, const VisionArchitecture& v,
                                        const FindingSink& sink);

}  // namespace medq::detail
