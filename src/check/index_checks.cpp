#include "medq/check/index_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "medq/formats/json_file.hpp"

namespace medq {
namespace {

constexpr size_t kExamples = 3;

Finding idx(std::string code, Severity sev, std::string pointer, std::string message,
            std::string tensor = "") {
  Finding f;
  f.code = std::move(code);
  f.severity = sev;
  f.where.file = std::string(kShardIndexFile);
  f.where.json_pointer = std::move(pointer);
  f.where.tensor = std::move(tensor);
  f.message = std::move(message);
  return f;
}

std::string examples(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < kExamples; ++i)
    s += (i ? ", " : "") + ("'" + names[i] + "'");
  if (names.size() > kExamples) s += ", ...";
  return s;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A weight_map value must be a plain file name inside the directory.
bool escapes(const std::string& p) {
  if (p.empty() || p[0] == '/' || p.find('\\') != std::string::npos) return true;
  if (p.find('/') != std::string::npos) return true;  // shards live at the top level
  return p == "." || p == "..";
}

}  // namespace

// Long on purpose: the index checks run as numbered phases over the same three tables (which
// files hold each tensor, tensor bytes per file, whether every shard parsed), and a later phase
// is skipped when an earlier one showed its input cannot be trusted.
Findings check_index(const ModelDir& dir, const Checkpoint& cp) {
  Findings out;
  // Shards on disk that parsed, and which files hold each tensor (more than one when a weight
  // file is duplicated; directory.duplicate_weights reports that).
  std::unordered_map<std::string, std::vector<std::string>> holders;  // tensor -> files, by name
  std::map<std::string, uint64_t> file_bytes;  // tensor bytes per weight file
  bool all_parsed = true;
  for (const auto& wf : cp.files) {
    // A truncated shard's header still says which tensors it was meant to hold.
    const SafetensorsHeader* h = wf.header.readable_header();
    if (!h) {
      all_parsed = false;
      continue;
    }
    for (const auto& t : h->tensors) {
      auto& files = holders[t.name];
      if (files.empty() || files.back() != wf.name) files.push_back(wf.name);
      file_bytes[wf.name] += t.nbytes();
    }
  }

  if (!cp.index) {
    size_t shards = std::count_if(cp.files.begin(), cp.files.end(), [](const WeightFile& w) {
      return w.name.find("-of-") != std::string::npos;
    });
    if (!cp.has_index_file && shards > 1) {
      out.push_back(idx("index.missing", Severity::kWarning, "",
                        fmt::format("{} shards and no {}: mlx-lm loads every model*.safetensors, "
                                    "but transformers-style loaders need the index",
                                    shards, kShardIndexFile)));
    }
    return out;
  }
  const ShardIndex& index = *cp.index;

  // Named shards: inside the directory, present, a weight file.
  std::set<std::string> named;
  for (const auto& [tensor, file] : index.weight_map) named.insert(file);
  std::set<std::string> usable;
  for (const auto& file : named) {
    if (escapes(file)) {
      out.push_back(idx("index.path_escape", Severity::kError, "/weight_map",
                        fmt::format("shard path '{}' is not a file name inside the model "
                                    "directory; medq does not follow it",
                                    file)));
      continue;
    }
    const DirEntry* e = dir.find(file);
    // A Git LFS pointer in place of the shard: directory.lfs_pointer reports it, and its tensors
    // are absent for that one reason, as for a missing shard.
    if (e && e->lfs_pointer) continue;
    if (!e) {
      size_t count = std::count_if(index.weight_map.begin(), index.weight_map.end(),
                                   [&](const auto& kv) { return kv.second == file; });
      out.push_back(
          idx("index.missing_shard", Severity::kError, "/weight_map",
              fmt::format("shard '{}' is named for {} tensors but is not in the directory", file,
                          count)));
      continue;
    }
    usable.insert(file);
  }
  // Whether `wf` holds a tensor that a file the index names also holds: a copy of (part of) the
  // model, which directory.duplicate_weights reports.
  auto copies_named_shard = [&](const WeightFile& wf) {
    const SafetensorsHeader* h = wf.header.readable_header();
    if (!h) return false;
    for (const auto& t : h->tensors) {
      for (const auto& other : holders[t.name]) {
        if (other != wf.name && named.count(other)) return true;
      }
    }
    return false;
  };
  // Shards on disk the index leaves out (only model*.safetensors: a loader's glob picks them up).
  for (const auto& wf : cp.files) {
    if (!named.count(wf.name) && wf.name.rfind("model", 0) == 0 && !copies_named_shard(wf)) {
      out.push_back(idx("index.unlisted_shard", Severity::kError, "/weight_map",
                        fmt::format("'{}' is in the directory but the index names none of its "
                                    "tensors; mlx-lm would load it anyway",
                                    wf.name)));
    }
  }

  // Names: index vs shards. Only meaningful once every shard parsed.
  if (all_parsed) {
    std::vector<std::string> missing, wrong_shard;
    std::set<std::string> in_index;
    for (const auto& [tensor, file] : index.weight_map) {
      in_index.insert(tensor);
      auto it = holders.find(tensor);
      if (it == holders.end()) {
        // Named for a shard that is absent, outside the directory or an LFS pointer: the
        // finding about that shard already accounts for its tensors.
        if (usable.count(file)) missing.push_back(tensor);
      } else if (std::find(it->second.begin(), it->second.end(), file) == it->second.end()) {
        wrong_shard.push_back(tensor);
        if (wrong_shard.size() <= kExamples) {
          out.push_back(idx(
              "index.wrong_shard", Severity::kError, "/weight_map/" + json_pointer_escape(tensor),
              fmt::format("index says '{}', the tensor is in '{}'", file, it->second.front()),
              tensor));
        }
      }
    }
    std::vector<std::string> extra;
    for (const auto& [tensor, files] : holders) {
      if (!in_index.count(tensor)) extra.push_back(tensor);
    }
    std::sort(extra.begin(), extra.end());
    std::sort(missing.begin(), missing.end());
    if (wrong_shard.size() > kExamples) {
      out.push_back(
          idx("index.wrong_shard", Severity::kError, "/weight_map",
              fmt::format("{} tensors in all are mapped to the wrong shard", wrong_shard.size())));
    }
    if (!missing.empty() || !extra.empty()) {
      // The classic converter bug: the unquantized model's index copied next to quantized
      // shards, so every .scales/.biases is missing from it.
      auto is_scale = [](const std::string& n) { return ends_with(n, ".scales"); };
      bool stale = std::none_of(in_index.begin(), in_index.end(), is_scale) &&
                   std::any_of(extra.begin(), extra.end(), is_scale);
      std::string msg = fmt::format(
          "weight_map names {} tensors, the shards hold {}: {} named but not in any shard{}{}, "
          "{} in the shards but not named{}{}",
          index.weight_map.size(), holders.size(), missing.size(), missing.empty() ? "" : " (",
          missing.empty() ? "" : examples(missing) + ")", extra.size(), extra.empty() ? "" : " (",
          extra.empty() ? "" : examples(extra) + ")");
      if (stale) {
        msg +=
            "; the index names no quantization scales while the shards hold them, so it was "
            "most likely copied from the unquantized model";
      }
      out.push_back(idx(stale ? "index.stale" : "index.tensor_mismatch", Severity::kError,
                        "/weight_map", msg));
    }
    uint64_t tensor_bytes = 0;  // of the shards the index names
    for (const auto& file : usable) {
      if (auto it = file_bytes.find(file); it != file_bytes.end()) tensor_bytes += it->second;
    }
    // With a shard missing (or an LFS pointer) the sum is short for a reason already reported.
    if (usable.size() == named.size() && index.total_size && *index.total_size != tensor_bytes) {
      out.push_back(idx("index.total_size_mismatch", Severity::kWarning, "/metadata/total_size",
                        fmt::format("metadata.total_size is {}, the shards' tensors take {} bytes",
                                    *index.total_size, tensor_bytes)));
    }
  }
  return out;
}

}  // namespace medq
