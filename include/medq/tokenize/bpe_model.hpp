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
  BpeModel(const std::vector<std::pair<std::string_view, uint32_t>>& vocab,
           const std::vector<std::pair<std::string_view, std::string_view>>& merges,
           Options options);

  /// Most ids a vocab may use (the formats stage's entry cap).
  static constexpr uint32_t kMaxTokenId = uint32_t{1} << 22;

  /// Appends the ids of `word` to `out`. Words are cached (the model is not thread-safe).
  void tokenize(std::string_view word, std::vector<uint32_t>& out) const;

  std::optional<uint32_t> token_to_id(std::string_view token) const;
  /// The vocab string of `id`, nullopt for an id the vocab does not have.
  std::optional<std::string_view> id_to_token(uint32_t id) const;
  size_t vocab_size() const { return vocab_size_; }
  size_t merge_count() const { return merge_count_; }

 private:
  void merge_word(std::string_view word, std::vector<uint32_t>& out) const;

  /// Open-addressing tables: loading Gemma 3's 262k tokens and 515k merges into node-based
  /// std::unordered_maps took ~1 s, mostly cache misses; these take a fraction of that.
  struct Slot {
    uint64_t key = 0;    ///< token table: hash; merge table: left << 32 | right
    uint64_t value = 0;  ///< token table: id + 1; merge table: rank << 32 | new id (+ 1 << 63)
  };
  std::optional<uint32_t> find_token(std::string_view token, uint64_t hash) const;
  const Slot* find_merge(uint32_t left, uint32_t right) const;

  std::string arena_;                 ///< every token's bytes, back to back
  std::vector<uint64_t> token_span_;  ///< per id: offset << 24 | length; ~0 for an absent id
  std::vector<Slot> tokens_;          ///< size a power of two
  std::vector<Slot> merges_;          ///< size a power of two
  size_t vocab_size_ = 0;
  size_t merge_count_ = 0;
  Options opt_;
  std::optional<uint32_t> unk_id_;
  std::array<int64_t, 256> byte_ids_{};  ///< "<0xNN>" ids, -1 where absent
  mutable std::unordered_map<std::string, std::vector<uint32_t>> cache_;
};

}  // namespace medq
