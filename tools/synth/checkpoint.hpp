// Writes a whole model directory: weights (shards + index), config.json, generation_config.json,
// tokenizer files, special_tokens_map.json and, for Gemma 3, processor_config.json and
// preprocessor_config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "arch.hpp"
#include "quant_plan.hpp"

namespace medq::synth {

struct GenerateOptions {
  uint64_t seed = 0;
  bool sparse = false;  ///< headers only, data left as a hole (the full-size replicas)
  uint64_t max_shard_bytes = 5ull << 30;
  /// A folder with the real tokenizer.json / tokenizer_config.json, copied instead of
  /// synthesizing a tokenizer (then no tokenizer.model is written); empty: synthesize one.
  /// write_checkpoint throws std::invalid_argument when the folder lacks either file.
  std::filesystem::path real_tokenizer_dir;
};

struct Summary {
  size_t tensors = 0;
  uint64_t parameters = 0;  ///< logical parameters
  uint64_t total_size = 0;  ///< tensor bytes
  std::vector<std::string> shards;
  bool real_tokenizer = false;
};

/// Whether `from` holds tokenizer.json and tokenizer_config.json.
bool has_real_tokenizer(const std::filesystem::path& from);

/// Writes the checkpoint into `dir`, which must exist (see prepare_out_dir).
Summary write_checkpoint(const std::filesystem::path& dir, const Arch& arch, const QuantPlan& plan,
                         const GenerateOptions& opts);

}  // namespace medq::synth
