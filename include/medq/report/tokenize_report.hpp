// What `medq tokenize` shows: the tokenizer used, the ids of the text and each id's token, as
// plain data, with its text and JSON renderings (docs/tokenize.md, docs/json.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medq/report/render.hpp"

namespace medq {

struct TokenizeReport {
  std::string tokenizer_file;  ///< as given (DIR/tokenizer.json)
  std::string tokenizer;       ///< Tokenizer::describe()
  bool add_special_tokens = true;
  uint64_t text_bytes = 0;
  std::vector<uint32_t> ids;
  std::vector<std::string> pieces;   ///< vocabulary strings, as convert_ids_to_tokens
  std::vector<std::string> decoded;  ///< the bytes each id stands for
};

/// Text: a header and one line per token (id, piece, the decoded bytes quoted); JSON:
/// {"schema_version", "tokenizer", "add_special_tokens", "text_bytes", "count", "ids", "pieces",
/// "decoded"}. Markdown renders as text.
std::string render(const TokenizeReport& r, OutputFormat f);

}  // namespace medq
