// The HTTP response headers medq reads from a server it does not trust, parsed strictly:
// Content-Range (RFC 9110 section 14.4) of a 206, Link (RFC 8288) for the Hub's pagination, and
// Retry-After (RFC 9110 section 10.2.3) of a 429 or 503. Each gives nullopt on anything it cannot
// read whole; none allocates more than its input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medq {

/// "bytes FIRST-LAST/COMPLETE" or "bytes FIRST-LAST/*" (complete length unknown).
struct ContentRange {
  uint64_t first = 0;
  uint64_t last = 0;                 ///< inclusive
  std::optional<uint64_t> complete;  ///< the whole representation's length, when given
};

/// Parses a Content-Range value of a 206 answer. Refuses "bytes */N" (that form belongs to 416),
/// LAST < FIRST, LAST >= COMPLETE, numbers of more than 19 digits, and anything but optional
/// surrounding spaces around the one form.
std::optional<ContentRange> parse_content_range(std::string_view value);

/// The target of the first link with rel="next" (or rel=next, or a rel list holding "next") in
/// a Link header value, e.g. `<https://huggingface.co/api/...&cursor=X>; rel="next"`. nullopt
/// when there is none or the value is malformed.
std::optional<std::string> parse_link_next(std::string_view value);

/// Delay in whole seconds from a Retry-After value given in seconds ("120"); nullopt for an
/// HTTP date or anything else (the caller's own backoff applies then).
std::optional<uint64_t> parse_retry_after_seconds(std::string_view value);

}  // namespace medq
