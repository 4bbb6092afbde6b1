// JSON pointers (RFC 6901) for the `json_pointer` of a finding's Location: every stage that
// points into a JSON file builds its pointers with this one escaping.
#pragma once

#include <string>
#include <string_view>

namespace medq {

/// Escapes one reference token: "~" becomes "~0" and "/" becomes "~1".
std::string json_pointer_escape(std::string_view key);

}  // namespace medq
