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

/// `s` as it is when it is printable ASCII without a backquote and at most `max_bytes` long (a
/// tensor name, "mlx"); otherwise quote_text(s, max_bytes). For untrusted strings in report
/// tables and lines: a control character cannot reach the terminal, and a 100 MB metadata value
/// prints as 200 bytes.
std::string display_text(std::string_view s, size_t max_bytes = 200);

}  // namespace medq
