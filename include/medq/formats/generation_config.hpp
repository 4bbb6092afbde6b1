// Reader for generation_config.json: the bos, eos and pad token ids that generation uses
// (docs/formats.md §C.4). The file is small, so a DOM parse is fine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"

namespace medq {

/// A token id from generation_config.json.
struct TokenIdRef {
  uint64_t id = 0;
  std::string pointer;  ///< e.g. "/eos_token_id/1"
};

struct GenerationConfig {
  std::string file;
  std::vector<TokenIdRef> bos_token_id;  ///< usually one; the file may give a list
  std::vector<TokenIdRef> eos_token_id;  ///< an int or a list of ints (Gemma 3: [1, 106])
  std::vector<TokenIdRef> pad_token_id;
};

struct GenerationConfigResult {
  std::optional<GenerationConfig> config;
  Findings findings;
};

/// Reads generation_config.json from an already parsed document.
GenerationConfigResult generation_config_from_json(const nlohmann::json& doc,
                                                   std::string_view file_label);
/// The same from text / from a file, with area "config" for syntax and I/O findings
/// ("config.invalid_json"), as validate's json_area() gives for generation_config.json.
GenerationConfigResult parse_generation_config(std::string_view text, std::string_view file_label);
GenerationConfigResult read_generation_config(const std::filesystem::path& path,
                                              std::string_view file_label);

}  // namespace medq
