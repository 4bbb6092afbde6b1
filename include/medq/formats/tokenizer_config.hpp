// Readers for the small JSON files that name a tokenizer's special tokens: tokenizer_config.json
// and special_tokens_map.json (special tokens by role, added_tokens_decoder; docs/formats.md
// §C.3). They are small, so a DOM parse is fine. generation_config.json has its own reader
// (formats/generation_config.hpp).
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
  /// The file has an `added_tokens_decoder` object (the format transformers has written since
  /// 4.34). transformers' tokenizer loading then takes the special tokens from this file alone
  /// and never reads special_tokens_map.json.
  bool has_added_tokens_decoder = false;
  /// The first special token with `role`, or nullptr.
  const SpecialTokenRef* role(std::string_view role) const;
};

struct TokenizerConfigResult {
  std::optional<TokenizerConfig> config;  ///< absent when unreadable or not a JSON object
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

}  // namespace medq
