// A checkpoint as one model: the weight files of a directory (model.safetensors or the
// model-0000k-of-0000N shards, and any other *.safetensors mlx-lm would load), each with its
// parsed header, plus the shard index when there is one.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/formats/shard_index.hpp"
#include "medq/model/model_dir.hpp"

namespace medq {

struct WeightFile {
  std::string name;  ///< file name relative to the checkpoint directory
  SafetensorsResult header;
};

struct Checkpoint {
  std::filesystem::path root;              ///< the directory (or, for a single file, its parent)
  std::shared_ptr<const Storage> storage;  ///< where the weight files' bytes are read from
  std::vector<WeightFile> files;           ///< sorted by name
  std::optional<ShardIndex> index;
  bool has_index_file = false;
  Findings findings;  ///< every file's findings and the index's, unsorted

  /// Every tensor of every accepted file, with the file it is in.
  struct Entry {
    const TensorInfo* tensor;
    const WeightFile* file;
  };
  std::vector<Entry> tensors() const;

  /// Weight files present twice: for each duplicate file, the earlier files it shares tensors
  /// with and how many. mlx-lm loads every model*.safetensors, so a duplicate doubles the
  /// memory or makes the load fail. The file that counts as the original is one the index
  /// names, else the first by name; every other file holding a tensor already seen is the
  /// duplicate. Every reader of the checkpoint (sizes, logical tensors, the directory checks)
  /// takes this one decision.
  std::map<std::string, std::map<std::string, size_t>, std::less<>> duplicate_files() const;
};

/// Loads the headers of every `*.safetensors` file directly inside `dir` (sorted by name) and the
/// shard index if present, as scan_model_dir finds them with the default ScanOptions (no link
/// out of the folder followed, no FIFO opened). Reads headers only.
Checkpoint load_checkpoint(const std::filesystem::path& dir);

/// Loads the weight files a directory scan found: regular `*.safetensors` files that are not Git
/// LFS pointers (links the scan did not follow are left out), and the index when present.
Checkpoint load_checkpoint(const ModelDir& dir);

/// Loads one safetensors file as a checkpoint of one file.
Checkpoint load_single_file(const std::filesystem::path& file);

}  // namespace medq
