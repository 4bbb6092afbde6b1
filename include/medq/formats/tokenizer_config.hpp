// Readers for the small JSON files around a tokenizer: tokenizer_config.json and
// special_tokens_map.json (special tokens by role, added_tokens_decoder) and
// generation_config.json (bos/eos/pad token ids). They are small, so a DOM parse is fine.
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

/// Files larger than this are refused ("<area>.too_large"); Gemma 3's tokenizer_config.json,
/// the largest known, is 1.2 MB.
inline constexpr uint64_t kMaxTokenizerConfigBytes = uint64_t{64} << 20;

/// A special token named in tokenizer_config.json or special_tokens_map.json.
struct SpecialTokenRef {
  /// The key: "bos_token", "eos_token", "pad_token", "unk_token", "boi_token", "image_token"...;
  /// "additional_special_tokens" for list entries; "extra_special_tokens/<key>" for that map.
  std::string role;
  std::string content;
  std::string pointer;  ///< JSON pointer of the string, e.g. "/eos_token" or "/bos_token/content"
};

/// One entry of tokenizer_config.json's added_tokens_decoder.
struct AddedTokenDecl {
  uint32_t id = 0;
  std::string content;
  bool special = false;
  std::string pointer;  ///< e.g. "/added_tokens_decoder/106"
};

/// tokenizer_config.json or special_tokens_map.json (the latter has no added_tokens_decoder).
struct TokenizerConfig {
  std::string file;
  std::vector<SpecialTokenRef> special_tokens;       ///< in file order
  std::vector<AddedTokenDecl> added_tokens_decoder;  ///< sorted by id
  /// The first special token with `role`, or nullptr.
  const SpecialTokenRef* role(std::string_view role) const;
};

struct TokenizerConfigResult {
  std::optional<TokenizerConfig> config;  ///< absent when unreadable or not a JSON object
  Findings findings;
};

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

/// Reads tokenizer_config.json or special_tokens_map.json from an already parsed document (the
/// validate pipeline parses every small JSON file once). Only "tokenizer.*" findings about the
/// content are returned; a non-object document gives "tokenizer.not_object" and no config.
TokenizerConfigResult tokenizer_config_from_json(const nlohmann::json& doc,
                                                 std::string_view file_label);
/// The same from text / from a file, through parse_json_text / read_json_file with area
/// "tokenizer" (syntax errors: "tokenizer.invalid_json" with line and column).
TokenizerConfigResult parse_tokenizer_config(std::string_view text, std::string_view file_label);
TokenizerConfigResult read_tokenizer_config(const std::filesystem::path& path,
                                            std::string_view file_label);

/// Reads generation_config.json from an already parsed document.
GenerationConfigResult generation_config_from_json(const nlohmann::json& doc,
                                                   std::string_view file_label);
/// The same from text / from a file, with area "config" for syntax and I/O findings
/// ("config.invalid_json"), as validate's json_area() gives for generation_config.json.
GenerationConfigResult parse_generation_config(std::string_view text, std::string_view file_label);
GenerationConfigResult read_generation_config(const std::filesystem::path& path,
                                              std::string_view file_label);

}  // namespace medq
