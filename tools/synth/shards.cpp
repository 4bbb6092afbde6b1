#include "shards.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

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

namespace {

/// Where a tensor comes in a PyTorch state dict: by part of the model, then by name with layer
/// numbers compared as numbers.
bool module_order_less(const std::string& a, const std::string& b) {
  auto rank = [](const std::string& n) {
    if (n.starts_with("vision_tower.")) return 0;
    if (n.starts_with("multi_modal_projector.")) return 1;
    if (n.starts_with("lm_head.") || n.starts_with("language_model.lm_head.")) return 3;
    return 2;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      const unsigned long long x = std::stoull(a.substr(i, ei - i)),
                               y = std::stoull(b.substr(j, ej - j));
      if (x != y) return x < y;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

WrittenWeights write_weights(const std::filesystem::path& dir, const std::vector<OutTensor>& in,
                             uint64_t max_bytes, bool sparse, uint64_t total_parameters,
                             Layout layout, bool index_parameters) {
  std::vector<OutTensor> tensors = in;
  if (layout == Layout::Transformers) {
    std::stable_sort(tensors.begin(), tensors.end(), [](const OutTensor& x, const OutTensor& y) {
      return module_order_less(x.name, y.name);
    });
  }
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
    write_safetensors(dir / file, part, sparse, layout);
    w.shard_files.push_back(file);
  }
  nlohmann::json meta = {{"total_size", w.total_size}};
  if (index_parameters) meta["total_parameters"] = total_parameters;
  w.index = {{"metadata", meta}, {"weight_map", weight_map}};
  // save_pretrained writes no index for a single file; mlx-lm always writes one.
  if (layout == Layout::Mlx || shards.size() > 1) {
    write_json(dir / "model.safetensors.index.json", w.index,
               layout == Layout::Transformers ? 2 : 4);
  }
  return w;
}

}  // namespace medq::synth
