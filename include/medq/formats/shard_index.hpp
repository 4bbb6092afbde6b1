// model.safetensors.index.json: which shard holds which tensor, and the advertised total size.
// This reads its structure; comparing it with the shards on disk is a check (check/index_checks).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/io/storage.hpp"

namespace medq {

inline constexpr std::string_view kShardIndexFile = "model.safetensors.index.json";

struct ShardIndex {
  /// (tensor name, shard file name) in the order the file lists them.
  std::vector<std::pair<std::string, std::string>> weight_map;
  std::optional<uint64_t> total_size;        ///< metadata.total_size
  std::optional<uint64_t> total_parameters;  ///< metadata.total_parameters (mlx-lm, transformers)
};

struct ShardIndexResult {
  std::optional<ShardIndex> index;  ///< set when the structure is usable
  Findings findings;
};

/// Interprets a parsed index. Entries that are not strings are reported and skipped.
ShardIndexResult parse_shard_index(const nlohmann::json& j, std::string_view file_label);

/// Reads and interprets the index file at `path`.
ShardIndexResult read_shard_index(const std::filesystem::path& path, std::string_view file_label);

/// The same for an opened entry.
ShardIndexResult read_shard_index(Opened file, std::string_view file_label);

}  // namespace medq
