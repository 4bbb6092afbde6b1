// One read pass over one file: its size and SHA-256 and, for a safetensors file, the XXH3-128 of
// every tensor's data bytes, all fed from the same buffer. Internal to the manifest code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "medq/integrity/manifest.hpp"
#include "medq/io/storage.hpp"

namespace medq::integrity {

/// Hashes the entry `rel` of `storage` into `out` (size, sha256, tensors, header_error,
/// tensors_past_end; `out->path` is left alone). `id` is the file the directory listing saw
/// (lstat): if `rel` now opens another file (replaced by a symlink, say), that is an error.
/// `safetensors` says whether to read the file's header and digest its tensors. `buf` is the
/// read buffer; its size is the chunk size. Returns false with a message in `*err` when the file
/// cannot be read, was replaced, or changes size while being read.
bool digest_file(const Storage& storage, const std::string& rel, const FileId& id,
                 std::string_view label, bool safetensors, std::vector<uint8_t>& buf,
                 ManifestFile* out, std::string* err);

}  // namespace medq::integrity
