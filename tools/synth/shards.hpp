// Splits a checkpoint's tensors into safetensors shards as mlx-lm's make_shards does (at most
// 5 GiB each, in name order, model-0000k-of-0000N.safetensors or model.safetensors for one)
// and writes model.safetensors.index.json, which mlx-lm always writes (docs/formats.md §A.6).
// For the transformers layout as save_pretrained does (huggingface_hub's
// split_torch_state_dict_into_shards): at most 5 GB (decimal) each, in module order (the vision
// tower, the projector, the language model's embedding, layers in order and norm, the lm_head),
// and an index only when there is more than one shard.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "st_writer.hpp"

namespace medq::synth {

inline constexpr uint64_t kMaxShardBytes = 5ull << 30;       // mlx-lm MAX_FILE_SIZE_GB = 5, binary
inline constexpr uint64_t kHfMaxShardBytes = 5'000'000'000;  // save_pretrained's "5GB"

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
/// `index_parameters`: also write the index metadata's total_parameters (mlx-lm, transformers 5).
WrittenWeights write_weights(const std::filesystem::path& dir,
                             const std::vector<OutTensor>& tensors, uint64_t max_bytes, bool sparse,
                             uint64_t total_parameters, Layout layout = Layout::Mlx,
                             bool index_parameters = true);

}  // namespace medq::synth
