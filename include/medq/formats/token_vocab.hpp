// A compact id <-> token table for tokenizer vocabularies of a few hundred thousand entries: one
// string arena and 24 bytes per entry instead of a std::string each, so the 262,144-entry Gemma 3
// vocabulary costs a few MB. It keeps corrupt input (duplicate ids, duplicate tokens, holes)
// instead of rejecting it, so that checks can report exactly what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

class TokenVocab {
 public:
  /// Appends a token with its id, in file order. Call finish() after the last add().
  void add(uint32_t id, std::string_view token);
  /// Sorts entries by id (stable, so file order breaks ties) and builds the by-token index.
  /// Does nothing when nothing was added since the last call.
  void finish();

  /// Number of entries, duplicates included.
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  /// The i-th entry in id order (i < size()).
  uint32_t id_at(size_t i) const { return entries_[i].id; }
  std::string_view token_at(size_t i) const;
  /// The first entry's index in file order, for messages about the i-th entry in id order.
  uint32_t file_index_at(size_t i) const { return entries_[i].file_index; }

  /// The token with `id` (the first in file order when the id is duplicated).
  std::optional<std::string_view> token(uint32_t id) const;
  /// The id of `token` (the lowest when the token is duplicated).
  std::optional<uint32_t> find(std::string_view token) const;
  /// Every id that `token` has, in ascending order (more than one only in a corrupt vocab).
  std::vector<uint32_t> ids_of(std::string_view token) const;

  /// Largest id, or nullopt when empty.
  std::optional<uint32_t> max_id() const;
  /// Number of ids in [0, max_id] that have no token.
  uint64_t hole_count() const { return hole_count_; }
  /// Smallest id in [0, max_id] that has no token.
  std::optional<uint32_t> first_hole() const { return first_hole_; }

  /// Indices (in id order) of entries whose id equals the previous entry's id.
  const std::vector<size_t>& duplicate_id_entries() const { return dup_ids_; }
  /// Indices (in id order) of entries whose token also appears at a smaller id (or earlier in
  /// the file with the same id).
  const std::vector<size_t>& duplicate_token_entries() const { return dup_tokens_; }

 private:
  struct Entry {
    uint64_t offset;  // into arena_
    uint32_t length;
    uint32_t id;
    uint32_t file_index;
    uint32_t hash;  // of the text, taken in add() while the bytes are in cache
  };
  std::string_view text(const Entry& e) const { return {arena_.data() + e.offset, e.length}; }

  static uint32_t hash_of(std::string_view token);
  size_t slot_of(std::string_view token, uint32_t hash) const;

  static constexpr uint32_t kEmpty = UINT32_MAX;
  static constexpr uint64_t kEmptySlot = UINT64_MAX;
  std::string arena_;
  std::vector<Entry> entries_;
  // Open-addressing hash table keyed by token text, of the first (lowest-id) entry of each
  // distinct token: the text's hash in the high 32 bits, the entry index in the low 32, so that
  // a probe past another token compares hashes without touching the entry or its text.
  // Sorting 262k strings instead costs several times more.
  std::vector<uint64_t> table_;
  // For tokens that occur more than once: next entry with the same text, kEmpty at the end.
  // Empty unless the vocab has duplicate tokens.
  std::vector<uint32_t> next_same_;
  std::vector<size_t> dup_ids_, dup_tokens_;
  uint64_t hole_count_ = 0;
  std::optional<uint32_t> first_hole_;
  bool finished_ = false;
};

}  // namespace medq
