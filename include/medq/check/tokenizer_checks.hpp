// Cross-file tokenizer checks (issue 4, item 7): tokenizer size against config vocab_size and the
// embedding rows, special tokens against the tokenizer, generation_config ids, tokenizer.model
// pieces against the tokenizer.json vocab. Each file's own structural findings come from its
// reader; these checks only compare files and never repeat them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "medq/diag/finding.hpp"
#include "medq/formats/sentencepiece.hpp"
#include "medq/formats/tokenizer_config.hpp"
#include "medq/formats/tokenizer_json.hpp"

namespace medq {

/// What the checks compare. Every pointer may be null: that file is missing or unreadable, and
/// the checks that need it are skipped (reporting missing files is the directory check's job).
struct TokenizerInputs {
  const TokenizerJson* tokenizer_json = nullptr;
  const SentencePieceModel* sentencepiece = nullptr;
  const TokenizerConfig* tokenizer_config = nullptr;    ///< tokenizer_config.json
  const TokenizerConfig* special_tokens_map = nullptr;  ///< special_tokens_map.json
  const GenerationConfig* generation_config = nullptr;

  /// vocab_size resolved from config.json (possibly a default filled in for the architecture),
  /// and where it came from, for finding locations.
  std::optional<uint64_t> config_vocab_size;
  std::string config_file = "config.json";
  std::string config_vocab_pointer = "/vocab_size";

  /// Rows of the token-embedding tensor (its logical, unpacked first dimension).
  std::optional<uint64_t> embedding_rows;
  std::string embedding_file;    ///< file holding the embedding tensor
  std::string embedding_tensor;  ///< its name, e.g. "language_model.model.embed_tokens.weight"
};

/// Runs every check whose inputs are present and returns the findings (codes "tokenizer.*").
Findings check_tokenizer(const TokenizerInputs& in);

}  // namespace medq
