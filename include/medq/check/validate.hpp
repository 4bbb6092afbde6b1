// `medq validate` as a library call: scan a model directory, read every file it needs, run every
// check family, and keep what was read so that reports (validate, compare) can use it. One
// failure never hides another: every check runs on whatever could be read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/hub/cache_repo.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/checkpoint_layout.hpp"
#include "medq/model/model_dir.hpp"
#include "medq/model/quantization.hpp"

namespace medq {

struct Validation {
  ModelDir dir;
  Checkpoint checkpoint;
  /// config.json as parsed, when it is JSON. (The other small JSON files are read and checked,
  /// then dropped before tokenizer.json's reading ends, so that freeing them costs no time.)
  std::optional<nlohmann::json> config_json;
  /// config.json resolved (set whenever config.json parsed as JSON), and its quantization
  /// settings (nullopt when the config claims none).
  std::optional<Architecture> arch;
  std::optional<QuantConfig> quant;
  /// The layout the tensors follow (MLX or transformers), detected from the tensors; without a
  /// readable config.json only from their packing and the files' metadata.
  CheckpointLayout layout;
  Findings findings;  ///< sorted
  /// For a Hugging Face cache snapshot (dir.snapshot): the rest of its repository folder (the
  /// refs naming the commit read, other snapshots, incomplete downloads, unreferenced blobs).
  std::optional<CacheRepoScan> cache_repo;

  const nlohmann::json* config() const;
};

class FileCache;

/// Validates the model directory `dir`, which must exist and be a directory (the caller reports
/// that as a usage error). `scan` says which symlinks to follow (--follow-symlinks). With a
/// `cache`, a tokenizer.json or small JSON file whose bytes were parsed before (for another
/// folder) is not parsed again.
Validation validate_model(const std::filesystem::path& dir, const ScanOptions& scan = {},
                          FileCache* cache = nullptr);

/// Validates a directory already scanned (from any storage: scan_model_dir(storage, ...)).
Validation validate_model(ModelDir dir, FileCache* cache = nullptr);

/// The finding area of a JSON file's syntax errors: "config", "index", "tokenizer", "directory".
std::string_view json_area(std::string_view file_name);

}  // namespace medq
