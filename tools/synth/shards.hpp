// Splits a checkpoint's tensors into safetensors shards as mlx-lm's make_shards does (at most
// 5 GiB each, in name order, model-0000k-of-0000N.safetensors or model.safetensors for one)
// and writes model.safetensors.index.json, which mlx-lm always writes (docs/formats.md §A.6).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "st_writer.hpp"

namespace medq::synth {

inline constexpr uint64_t kMaxShardBytes = 5ull << 30;  // mlx-lm MAX_FILE_SIZE_GB = 5, binary

/// File name of shard `k` (0-based) of `n`.
std::string shard_name(size_t k, size_t n);

/// Groups tensor indices into shards: a new shard starts when adding a tensor would pass
/// `max_bytes` (a tensor larger than the limit gets a shard of its own).
std::vector<std::vector<size_t>> plan_shards(const std::vector<OutTensor>& tensors,
                                             uint64_t max_bytes);

struct WrittenWeights {
  std::vector<std::string> shard_files;
  uint64_t total_size = 0;  ///< sum of tensor byte sizes (the index's total_size)
  nlohmann::json index;
};

/// Writes the shards and the index into `dir`. `total_parameters` goes into the index metadata.
WrittenWeights write_weights(const std::filesystem::path& dir,
                             const std::vector<OutTensor>& tensors, uint64_t max_bytes, bool sparse,
                             uint64_t total_parameters);

}  // namespace medq::synth
