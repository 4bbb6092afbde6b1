// Small file helpers for the generator: JSON and text output, and the output-directory rule
// (refuse a non-empty directory unless forced).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace medq::synth {

/// Writes `text` to `path` (created or truncated). Throws std::runtime_error on failure.
void write_text(const std::filesystem::path& path, std::string_view text);

/// Writes JSON the way Python's json.dump(..., indent=4) lays it out (no trailing newline).
/// Key order is the object's own: sorted for nlohmann::json, insertion for ordered_json.
template <typename Json>
void write_json(const std::filesystem::path& path, const Json& j, int indent = 4) {
  write_text(path, j.dump(indent));
}

/// Makes `dir` ready to receive a checkpoint. A missing directory is created; an empty one is
/// used; a non-empty one is refused (std::runtime_error) unless `force`, in which case the files
/// the generator writes (model*.safetensors, *.json, tokenizer.model, .cache) are removed first
/// and anything else is left alone.
void prepare_out_dir(const std::filesystem::path& dir, bool force);

}  // namespace medq::synth
