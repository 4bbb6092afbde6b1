#include "medq/formats/shard_index.hpp"

#include <fmt/format.h>

#include "medq/formats/json_file.hpp"
#include "medq/io/local_storage.hpp"

namespace medq {
namespace {

Finding index_finding(std::string code, Severity sev, std::string_view file, std::string pointer,
                      std::string message) {
  return json_finding(std::move(code), sev, file, std::move(pointer), std::move(message));
}

std::optional<uint64_t> read_size(const nlohmann::json& meta, const char* key,
                                  std::string_view file, Findings& out) {
  auto it = meta.find(key);
  if (it == meta.end()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  out.push_back(index_finding(
      "index.invalid_metadata", Severity::kError, file, std::string("/metadata/") + key,
      fmt::format("metadata.{} must be a non-negative integer, found {}", key, it->dump())));
  return std::nullopt;
}

}  // namespace

ShardIndexResult parse_shard_index(const nlohmann::json& j, std::string_view file) {
  ShardIndexResult r;
  if (!j.is_object()) {
    r.findings.push_back(index_finding("index.invalid_structure", Severity::kError, file, "",
                                       "the index must be a JSON object"));
    return r;
  }
  ShardIndex idx;
  auto meta = j.find("metadata");
  if (meta != j.end() && meta->is_object()) {
    idx.total_size = read_size(*meta, "total_size", file, r.findings);
    idx.total_parameters = read_size(*meta, "total_parameters", file, r.findings);
  } else if (meta != j.end() && !meta->is_null()) {
    r.findings.push_back(index_finding("index.invalid_metadata", Severity::kError, file,
                                       "/metadata", "metadata must be an object"));
  }
  auto wm = j.find("weight_map");
  if (wm == j.end() || !wm->is_object()) {
    r.findings.push_back(index_finding(
        "index.invalid_structure", Severity::kError, file, "/weight_map",
        wm == j.end() ? "the index has no weight_map" : "weight_map must be an object"));
    return r;
  }
  idx.weight_map.reserve(wm->size());
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it.value().is_string()) {
      r.findings.push_back(index_finding(
          "index.invalid_structure", Severity::kError, file,
          "/weight_map/" + json_pointer_escape(it.key()),
          fmt::format("weight_map values must be shard file names, found {}", it.value().dump())));
      continue;
    }
    idx.weight_map.emplace_back(it.key(), it.value().get<std::string>());
  }
  r.index = std::move(idx);
  return r;
}

ShardIndexResult read_shard_index(const std::filesystem::path& path, std::string_view file) {
  return read_shard_index(open_local(path), file);
}

ShardIndexResult read_shard_index(Opened opened, std::string_view file) {
  auto parsed = read_json_file(std::move(opened), file, "index");
  ShardIndexResult r;
  if (!parsed.value) {
    r.findings = std::move(parsed.findings);
    return r;
  }
  r = parse_shard_index(*parsed.value, file);
  r.findings.insert(r.findings.begin(), parsed.findings.begin(), parsed.findings.end());
  return r;
}

}  // namespace medq
