// Reading one config value and applying an architecture's default rule to it (private to
// src/model): the shared step of resolving the text, vision and projector parts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "architecture_defaults.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/config_json.hpp"

namespace medq::detail {

/// Names the loader and reference classes in "no default" messages.
struct Who {
  std::string_view loader, reference;
};

/// Reports a key the loader requires (no default in its config class) as config.missing_key.
void missing_required(const FindingSink& sink, const std::string& ptr, std::string_view key,
                      const Who& who, const std::string& assumed);

/// Reads an integer field and applies kValue / kRequired / kNone. Derived rules are left
/// kMissing-when-absent for the caller.
Field<uint64_t> int_field(const nlohmann::json& obj, std::string_view prefix, std::string_view key,
                          const IntDefault& d, const FindingSink& sink, const Who& who,
                          bool allow_zero = false);

/// Reads a boolean field and applies its default.
Field<bool> bool_field(const nlohmann::json& obj, std::string_view prefix, std::string_view key,
                       const BoolDefault& d, const FindingSink& sink, const Who& who);

}  // namespace medq::detail
