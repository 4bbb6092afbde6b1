// The token-id file of `medq quality --tokens FILE` (and a policy's quality.tokens): decimal
// token ids separated by ASCII whitespace, taken as given (no BOS added).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

/// The ids in `text`; nullopt with `*err` naming `source` and the first id that is not a decimal
/// number below 2^32 (quoted, at most 40 bytes of it), or saying there are none.
std::optional<std::vector<uint32_t>> parse_token_ids(std::string_view text,
                                                     const std::string& source, std::string* err);

}  // namespace medq
