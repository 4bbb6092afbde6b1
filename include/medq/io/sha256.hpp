// SHA-256 of a file's content, streamed in fixed-size chunks (bounded memory at any file size).
// The digest the Hugging Face Hub and Git LFS use to identify files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace medq {

/// Lower-case hex SHA-256 of the regular file at `path`, or nullopt with a message in `*err`.
std::optional<std::string> sha256_file(const std::filesystem::path& path, std::string* err);

/// Lower-case hex SHA-256 of `bytes` (for tests and small buffers).
std::string sha256_bytes(std::string_view bytes);

}  // namespace medq
