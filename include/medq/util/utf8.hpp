// Strict UTF-8 validation, as Rust's str::from_utf8 does it (the reference safetensors reader
// validates the header this way): no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medq {

/// Index of the first byte that starts an invalid or truncated sequence, or nullopt if `bytes`
/// is valid UTF-8.
std::optional<size_t> first_invalid_utf8(std::span<const uint8_t> bytes);

}  // namespace medq
