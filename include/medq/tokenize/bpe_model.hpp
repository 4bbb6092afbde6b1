// The BPE model of Hugging Face tokenizers (tokenizers/src/models/bpe/model.rs and word.rs):
// a word is split into characters (with continuing_subword_prefix / end_of_word_suffix), each
// looked up in the vocab, else as its bytes' "<0xNN>" tokens when byte_fallback is on, else as
// the unk token (consecutive unknowns fused when fuse_unk is on; dropped when there is no unk
// token, as merge_word does); then the pair of lowest merge rank (leftmost on ties) is merged
// until no pair has a merge. With ignore_merges a word that is itself in the vocab is one token.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace medq {

class BpeModel {
 public:
  struct Options {
    std::optional<std::string> unk_token;
    std::optional<std::string> continuing_subword_prefix;
    std::optional<std::string> end_of_word_suffix;
    bool fuse_unk = false;
    bool byte_fallback = false;
    bool ignore_merges = false;
  };

  /// `vocab`: (token, id) pairs; `merges`: (left, right) pairs in rank order. Throws
  /// TokenizeError for what tokenizers refuses too: a merge whose parts or result are not in the
  /// vocab, an unk token that is not in it, ids at or above kMaxTokenId.
  BpeModel(std::vector<std::pair<std::string, uint32_t>> vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, Options options);

  /// Most ids a vocab may use (the formats stage's entry cap).
  static constexpr uint32_t kMaxTokenId = uint32_t{1} << 22;

  /// Appends the ids of `word` to `out`. Words are cached (the model is not thread-safe).
  void tokenize(std::string_view word, std::vector<uint32_t>& out) const;

  std::optional<uint32_t> token_to_id(std::string_view token) const;
  /// The vocab string of `id`, nullopt for an id the vocab does not have.
  std::optional<std::string_view> id_to_token(uint32_t id) const;
  size_t vocab_size() const { return token_to_id_.size(); }
  size_t merge_count() const { return merges_.size(); }

 private:
  void merge_word(std::string_view word, std::vector<uint32_t>& out) const;

  std::vector<std::string> id_to_token_;
  std::vector<bool> has_id_;
  std::unordered_map<std::string_view, uint32_t> token_to_id_;
  /// (left id << 32 | right id) -> (rank << 32 | new id)
  std::unordered_map<uint64_t, uint64_t> merges_;
  Options opt_;
  std::optional<uint32_t> unk_id_;
  std::array<int64_t, 256> byte_ids_{};  ///< "<0xNN>" ids, -1 where absent
  mutable std::unordered_map<std::string, std::vector<uint32_t>> cache_;
};

}  // namespace medq
