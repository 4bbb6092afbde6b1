// How deep JSON text nests, found before parsing it: a DOM (and the duplicate-key pointers of the
// small-file reader) would otherwise grow with the depth, so deep nesting is refused first.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace medq {

/// The offset of the first bracket that opens a level deeper than `max_depth`, found in one
/// pass that skips strings, or nullopt.
std::optional<size_t> json_too_deep_at(std::string_view text, size_t max_depth);

}  // namespace medq
