// Reader for Hugging Face tokenizer.json (docs/formats.md §C.2). It keeps only what the checks need
// (version, model type, vocab, added tokens, decoder), counting the merges without storing them.
// Structural problems become "tokenizer.*" findings.
//
// Parsing: the whole file is read into memory and parsed with simdjson's On-Demand parser,
// visiting every value (so all of it is validated) through one SAX-style handler. A file that
// parser rejects is parsed again with nlohmann's SAX parser into a fresh handler, which gives
// the line and column of the problem. Measured on Gemma 3's 33 MB file (docs/benchmarks.md):
// the nlohmann-only streaming reader took ~0.3 s of CPU at 14 MB; this takes ~0.1 s at about
// twice the file's size in memory (file + index), within the 100 MB peak-memory target for it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/formats/token_vocab.hpp"
#include "medq/io/padded_buffer.hpp"
#include "medq/io/storage.hpp"

namespace medq {

/// Files larger than this are refused ("tokenizer.too_large"). Real tokenizer.json files are a
/// few tens of MB (Gemma 3: 33 MB). The reader holds the whole file and the parser's index, so
/// the cap bounds its memory (about 2x the file at most; docs/security.md).
inline constexpr uint64_t kMaxTokenizerJsonBytes = uint64_t{128} << 20;

/// Longest JSON string read from a tokenizer.json file ("tokenizer.too_large"), checked as the
/// longest run without a '"' before parsing. The longest real strings are a normalizer's
/// precompiled_charsmap (a few hundred kB of base64); the cap keeps a file made of one huge
/// string from costing a multiple of its size in copies of that string.
inline constexpr uint64_t kMaxTokenizerJsonStringBytes = uint64_t{16} << 20;

/// Most vocab entries / added tokens kept. Real vocabularies stay below 300k; the cap bounds
/// memory on hostile input ("tokenizer.too_many_entries").
inline constexpr size_t kMaxTokenizerEntries = size_t{1} << 22;

/// serde_json's recursion limit: tokenizers cannot load a file nested deeper than this.
inline constexpr size_t kMaxJsonDepth = 128;

enum class TokenizerModelType : uint8_t { kUnknown, kBPE, kUnigram, kWordPiece, kWordLevel };

/// "BPE", "Unigram", "WordPiece", "WordLevel" or "unknown".
std::string_view model_type_name(TokenizerModelType t);

struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool special = false;
  size_t index = 0;  ///< position in the added_tokens array, for "/added_tokens/<index>/id"
};

struct TokenizerJson {
  std::string file;                    ///< label given to the reader, used in findings
  std::optional<std::string> version;  ///< "1.0" in every valid file
  TokenizerModelType model_type = TokenizerModelType::kUnknown;
  bool model_type_tagged = false;  ///< false for legacy files without model.type (type inferred)
  std::string model_type_raw;      ///< model.type as written (empty when absent)
  TokenVocab vocab;                ///< model.vocab: token -> id map, or Unigram [piece, score] list
  bool vocab_is_list = false;      ///< true for the Unigram list form
  uint64_t merges = 0;             ///< number of BPE merges (not stored)
  std::optional<std::string> unk_token;     ///< model.unk_token (BPE, WordPiece, WordLevel)
  std::optional<uint64_t> unk_id;           ///< model.unk_id (Unigram)
  std::optional<bool> byte_fallback;        ///< model.byte_fallback (BPE, Unigram)
  std::vector<AddedToken> added_tokens;     ///< in file order
  std::optional<std::string> decoder_type;  ///< decoder.type, absent when decoder is null
  std::vector<std::string> decoder_steps;   ///< types inside a "Sequence" decoder, in order

  /// Max id + 1 over the vocab and the added tokens: the number of embedding rows the tokenizer
  /// needs. 0 for an empty tokenizer.
  uint64_t token_space() const;
  /// Every id that `content` has as an added token or in the vocab, ascending, without repeats.
  std::vector<uint32_t> ids_of(std::string_view content) const;
  /// What id `id` decodes to: the added token with that id if any (added tokens take
  /// precedence in tokenizers), otherwise the vocab entry.
  std::optional<std::string_view> token(uint32_t id) const;
};

struct TokenizerJsonResult {
  /// Set unless the file could not be read or is not JSON; structural findings still leave a
  /// (partial) summary so that cross-file checks can run.
  std::optional<TokenizerJson> tokenizer;
  Findings findings;
};

/// Parses tokenizer.json text held in memory. `file_label` names the file in findings.
TokenizerJsonResult parse_tokenizer_json(std::string_view text, std::string_view file_label);

/// Reads and parses `path` (load_tokenizer_json, then parse_loaded_tokenizer_json). I/O problems
/// become "tokenizer.unreadable", files over kMaxTokenizerJsonBytes "tokenizer.too_large".
/// Syntax errors are "tokenizer.invalid_json" with byte offset, line and column, as for the
/// small JSON files.
TokenizerJsonResult read_tokenizer_json(const std::filesystem::path& path,
                                        std::string_view file_label);

/// Reads the whole file at `path` into `*bytes` (with the padding the parser reads past the
/// end). On failure returns the result to report ("tokenizer.unreadable",
/// "tokenizer.too_large") and leaves `*bytes` empty.
std::optional<TokenizerJsonResult> load_tokenizer_json(const std::filesystem::path& path,
                                                       std::string_view file_label,
                                                       PaddedBuffer* bytes);

/// The same two for an opened entry (one that could not be opened is "tokenizer.unreadable").
TokenizerJsonResult read_tokenizer_json(Opened file, std::string_view file_label);
std::optional<TokenizerJsonResult> load_tokenizer_json(Opened file, std::string_view file_label,
                                                       PaddedBuffer* bytes);

/// Parses bytes read by load_tokenizer_json (no copy).
TokenizerJsonResult parse_loaded_tokenizer_json(const PaddedBuffer& bytes,
                                                std::string_view file_label);

}  // namespace medq
