// Showing untrusted strings (tokens, keys) inside one-line finding messages: quoted, control
// characters escaped, long strings shortened, so a token such as "\n" cannot break a report line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace medq {

/// `s` in double quotes with JSON-style escapes for quotes, backslashes and control characters,
/// bytes that are not valid UTF-8 as \xHH, cut (at a UTF-8 character boundary) after
/// `max_bytes` bytes with "..." appended.
std::string quote_text(std::string_view s, size_t max_bytes = 60);

}  // namespace medq
