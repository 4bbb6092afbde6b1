// Added and special tokens, matched in the text before the model runs, as Hugging Face tokenizers
// does (tokenizers/src/tokenizer/added_vocabulary.rs): tokens with normalized=false are found in
// the raw text, the others in each normalized piece (their own content normalized first); the
// match is leftmost-longest over all tokens (aho-corasick's MatchKind::LeftmostLongest);
// single_word tokens match only between non-word characters; lstrip / rstrip take the
// whitespace to their left / right into the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace medq {

class Normalizer;

struct AddedTokenSpec {
  uint32_t id = 0;
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
};

/// One part of a split text: an added token's id, or text for the model.
struct TextPart {
  std::string text;  ///< the matched token's text, or the text between tokens
  std::optional<uint32_t> id;
  bool at_origin = false;  ///< starts at byte 0 of the original text
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  /// `normalizer` (may be null) normalizes the content of the normalized tokens.
  AddedVocabulary(std::vector<AddedTokenSpec> tokens, const Normalizer* normalizer);

  /// Splits `text` at the tokens of one set (raw: normalized=false; else normalized=true).
  /// Parts that already carry an id pass through; empty parts are dropped.
  void split(std::vector<TextPart>& parts, bool normalized_set) const;

  const std::vector<AddedTokenSpec>& tokens() const { return tokens_; }
  /// The added token with `content`, if any.
  const AddedTokenSpec* find(std::string_view content) const;
  const AddedTokenSpec* find_id(uint32_t id) const;

 private:
  struct Trie {
    struct Node {
      std::vector<std::pair<unsigned char, uint32_t>> next;  // sorted by byte
      int64_t token = -1;                                    // index into tokens_
    };
    std::vector<Node> nodes{Node{}};
    void insert(std::string_view key, size_t token);
    /// Longest token starting at `text[pos]`: (token index, length).
    std::optional<std::pair<size_t, size_t>> longest(std::string_view text, size_t pos) const;
  };
  void split_one(const TextPart& part, const Trie& trie, std::vector<TextPart>& out) const;

  std::vector<AddedTokenSpec> tokens_;
  std::unordered_map<uint32_t, size_t> by_id_;            ///< first token with each id
  std::unordered_map<std::string_view, size_t> by_text_;  ///< views into tokens_
  Trie raw_;
  Trie normalized_;
};

}  // namespace medq
