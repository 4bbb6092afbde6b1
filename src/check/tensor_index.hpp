// Shared by the config and quantization checks (private to src/check): tensors by name, the
// packed form of a module (`.weight` + `.scales` + `.biases`), and shape formatting.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "medq/formats/safetensors.hpp"

namespace medq::detail {

class TensorIndex {
 public:
  explicit TensorIndex(std::span<const TensorInfo> tensors) {
    by_name_.reserve(tensors.size());
    for (const TensorInfo& t : tensors) by_name_.emplace(t.name, &t);  // first of duplicates wins
  }
  const TensorInfo* find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
  const TensorInfo* find(std::string_view module, std::string_view suffix) const {
    std::string n(module);
    n += suffix;
    return find(std::string_view(n));
  }

 private:
  std::unordered_map<std::string_view, const TensorInfo*> by_name_;
};

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// "[2048, 2560]"; 0 entries (unknown dimensions) print as "?".
std::string format_shape(std::span<const uint64_t> shape);

}  // namespace medq::detail
