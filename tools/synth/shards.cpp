#include "shards.hpp"

#include <cstdio>

#include "files.hpp"

namespace medq::synth {

std::string shard_name(size_t k, size_t n) {
  if (n == 1) return "model.safetensors";
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", k + 1, n);
  return buf;
}

std::vector<std::vector<size_t>> plan_shards(const std::vector<OutTensor>& tensors,
                                             uint64_t max_bytes) {
  std::vector<std::vector<size_t>> shards(1);
  uint64_t size = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!shards.back().empty() && size + tensors[i].nbytes > max_bytes) {
      shards.emplace_back();
      size = 0;
    }
    shards.back().push_back(i);
    size += tensors[i].nbytes;
  }
  return shards;
}

WrittenWeights write_weights(const std::filesystem::path& dir,
                             const std::vector<OutTensor>& tensors, uint64_t max_bytes, bool sparse,
                             uint64_t total_parameters) {
  const auto shards = plan_shards(tensors, max_bytes);
  WrittenWeights w;
  nlohmann::json weight_map = nlohmann::json::object();
  for (size_t k = 0; k < shards.size(); ++k) {
    const std::string file = shard_name(k, shards.size());
    std::vector<OutTensor> part;
    part.reserve(shards[k].size());
    for (size_t i : shards[k]) {
      part.push_back(tensors[i]);
      weight_map[tensors[i].name] = file;
      w.total_size += tensors[i].nbytes;
    }
    write_safetensors(dir / file, part, sparse);
    w.shard_files.push_back(file);
  }
  w.index = {{"metadata", {{"total_parameters", total_parameters}, {"total_size", w.total_size}}},
             {"weight_map", weight_map}};
  write_json(dir / "model.safetensors.index.json", w.index);
  return w;
}

}  // namespace medq::synth
