// Whether a file holds exactly the given bytes, read in chunks and compared (bounded memory).
// Exact, unlike comparing fast hashes, and a fraction of the cost of a SHA-256 of the file: so a
// file found equal to bytes already hashed can take their digest without being hashed itself.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "medq/io/byte_source.hpp"

namespace medq {

/// True when the regular file at `path` holds exactly `bytes`; false when it differs (in size
/// or content); nullopt (with a message in `*err`) when it cannot be read.
std::optional<bool> same_bytes(std::string_view bytes, const std::filesystem::path& path,
                               std::string* err);

/// The same for an entry already opened.
std::optional<bool> same_bytes(std::string_view bytes, const ByteSource& src, std::string* err);

}  // namespace medq
