// Whether two files hold the same bytes, read side by side in chunks (bounded memory). Exact,
// unlike comparing fast hashes, and a third of the cost of a SHA-256 of one of them: so a file
// known to equal one already hashed can take that digest without being hashed itself.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace medq {

/// True when both regular files have the same size and bytes; false when they differ; nullopt
/// (with a message in `*err`) when either cannot be read.
std::optional<bool> same_bytes(const std::filesystem::path& a, const std::filesystem::path& b,
                               std::string* err);

}  // namespace medq
