// The storage of a local model folder: a Hugging Face cache snapshot (its links into the
// repository's blobs are its own files) or any other folder.
#pragma once

#include <filesystem>
#include <memory>

#include "medq/io/storage.hpp"

namespace medq {

/// HfSnapshotStorage when `dir` is a cache snapshot (find_hf_snapshot), else LocalStorage.
std::shared_ptr<const Storage> folder_storage(const std::filesystem::path& dir);

}  // namespace medq
