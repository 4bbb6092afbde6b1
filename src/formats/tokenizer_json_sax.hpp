// The SAX handler behind read_tokenizer_json (private to medq_core). It follows a small state
// machine over the JSON paths that matter (/version, /added_tokens/*, /decoder, /model/{type,
// vocab, merges, unk_token, unk_id, byte_fallback}) and skips everything else without storing
// it. Per-entry problems are reported as they are seen; whole-file checks run afterwards
// (tokenizer_json.cpp).
#pragma once

#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/diag/finding_cap.hpp"
#include "medq/formats/tokenizer_json.hpp"

namespace medq::detail {

/// What the handler saw besides the summary itself, for the checks that run after parsing.
struct TokenizerJsonFacts {
  bool root_is_object = false;
  bool has_model = false;
  bool has_vocab = false;
  bool has_merges = false;
  bool has_wordpiece_fields = false;  ///< continuing_subword_prefix / max_input_chars_per_word
  bool depth_exceeded = false;
  bool syntax_error = false;
  uint64_t error_byte = 0;  ///< 0-based offset of the byte where the syntax error was detected
  std::string error_message;
};

class TokenizerJsonSax {
 public:
  using json = nlohmann::json;

  TokenizerJsonSax(TokenizerJson* out, TokenizerJsonFacts* facts, CappedFindings* findings)
      : out_(out), facts_(facts), findings_(findings) {}

  bool null();
  bool boolean(bool v);
  bool number_integer(json::number_integer_t v);
  bool number_unsigned(json::number_unsigned_t v);
  bool number_float(json::number_float_t v, const std::string& text);
  bool string(std::string& v);
  // The same events with views, from the simdjson walk: its strings stay valid (in the parser's
  // string buffer) for the whole document, so keys are kept as views without a copy.
  bool on_number_float(std::string_view text);
  bool on_string(std::string_view v);
  bool on_key(std::string_view k);
  bool binary(json::binary_t&) { return true; }  // never produced by the JSON lexer
  bool start_object(std::size_t);
  bool key(std::string& k);  ///< nlohmann's: `k` is overwritten by the next token, so copied
  bool end_object();
  bool start_array(std::size_t);
  bool end_array();
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex);

  /// Indexes model.vocab (TokenVocab::finish) on a thread of its own as soon as the vocab ends,
  /// while the rest of the file (Gemma 3: 25 of its 33 MB of merges) is still being read. Call
  /// wait_vocab() before using the summary.
  void finish_vocab_in_background() { background_ = true; }
  /// Waits for the background indexing, if any (rethrowing what it threw).
  void wait_vocab();

 private:
  enum class Ctx : uint8_t {
    kRoot,
    kAddedTokens,
    kAddedToken,
    kDecoder,
    kDecoderSteps,
    kDecoderStep,
    kModel,
    kVocabObject,
    kVocabList,
    kVocabPair,
    kMerges,
    kMergePair,
    kSkip,
  };
  struct Frame {
    Ctx ctx;
    bool is_array;
    uint32_t seen_keys = 0;  // bit per interpreted key, to catch duplicate keys
    uint64_t count = 0;      // elements seen so far (arrays)
  };
  // A JSON value (scalar or the start of a container), summarised for the state machine.
  enum class Kind : uint8_t { kNull, kBool, kUint, kInt, kFloat, kString, kObject, kArray };
  struct Value {
    Kind kind;
    bool b = false;
    uint64_t u = 0;
    std::string_view s = {};  ///< the string, or a number's text
  };

  void on_value(const Value& v);
  std::optional<Ctx> child_context(const Value& v);  // for containers; nullopt = skip
  bool open(const Value& v);
  void close();

  void bad(std::string code, std::string pointer, std::string message,
           Severity severity = Severity::kError);
  void note_key(uint32_t bit);
  std::string pointer_here() const;                    // pointer of the value being delivered
  bool room_for(size_t count, std::string_view what);  // false past kMaxTokenizerEntries
  void finish_added_token();
  void finish_vocab_pair();
  void finish_merge_pair();

  TokenizerJson* out_;
  TokenizerJsonFacts* facts_;
  CappedFindings* findings_;
  std::vector<Frame> stack_;
  size_t skip_depth_ = 0;  // nesting inside a skipped container, without frames
  std::string_view key_;   // current key of the innermost interpreted object
  std::string key_copy_;   // key_'s bytes when the parser reuses its buffer (nlohmann)

  // The element being assembled.
  std::optional<uint64_t> tok_id_;
  std::optional<std::string> tok_content_;
  bool tok_special_ = false;
  bool tok_bad_ = false;
  std::optional<std::string> pair_piece_;
  bool pair_bad_ = false;
  bool too_many_reported_ = false;

  bool background_ = false;
  std::future<void> vocab_indexing_;  // only while no vocab context is open
};

}  // namespace medq::detail
