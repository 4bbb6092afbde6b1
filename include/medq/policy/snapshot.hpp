// What a `medq check` report records of a model, so that the next release can be checked
// against it (policy "baseline"): the architecture, sizes, quantization, estimated memory and
// every logical tensor with its shape and storage. Written as the "model" block of the JSON
// report (docs/json.md#medq-check) and read back from a previous release's report.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/check/validate.hpp"

namespace medq {

struct SnapshotTensor {
  std::string name;
  std::vector<uint64_t> shape;  ///< logical (unpacked)
  std::string storage;          ///< "BF16", "affine 4-bit g64", ...

  bool operator==(const SnapshotTensor&) const = default;
};

struct SnapshotScheme {
  std::string scheme;  ///< as `medq compare` names it: "affine 4-bit g64", "float BF16"
  bool quantized = false;
  uint64_t modules = 0;
  uint64_t parameters = 0;
};

struct ModelSnapshot {
  std::string model_type;  ///< "" when unknown
  /// architecture_fields(): field and value as text, only the known ones.
  std::vector<std::pair<std::string, std::string>> architecture;
  std::string config_quantization;  ///< what config.json claims ("none", "unknown", ...)
  std::vector<SnapshotScheme> schemes;
  uint64_t parameters = 0;
  uint64_t weight_bytes = 0;  ///< tensor data a loader reads (duplicate weight files excluded)
  uint64_t directory_bytes = 0;
  uint64_t context_tokens = 0;
  std::optional<uint64_t> kv_cache_bytes;
  uint64_t memory_bytes = 0;  ///< estimated at context_tokens (weights, KV cache, overhead)
  std::vector<SnapshotTensor> tensors;  ///< sorted by name
  std::string tensor_set_sha256;        ///< of the tensor lines (tensor_set_digest)
};

/// Measures `v` (headers and small files only); memory is estimated at `context_tokens`.
ModelSnapshot take_snapshot(const Validation& v, uint64_t context_tokens);

/// SHA-256 over one line per tensor, "<name> <shape> <storage>\n", in name order: equal exactly
/// when the tensor sets are.
std::string tensor_set_digest(const std::vector<SnapshotTensor>& tensors);

/// The JSON "model" block.
nlohmann::ordered_json snapshot_to_json(const ModelSnapshot& s);

struct BaselineParse {
  std::optional<ModelSnapshot> snapshot;
  std::string error;  ///< otherwise what is wrong and where (a JSON pointer)
};

/// Reads the "model" block of a `medq check --format json` report (schema_version 1).
BaselineParse read_baseline(const std::filesystem::path& report);
/// The same, from the report's text.
BaselineParse parse_baseline(std::string_view text);

}  // namespace medq
