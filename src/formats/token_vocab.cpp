#include "medq/formats/token_vocab.hpp"

#include <algorithm>
#include <functional>

namespace medq {

void TokenVocab::add(uint32_t id, std::string_view token) {
  finished_ = false;
  // Lengths come from a file that is size-capped far below 4 GiB, so they fit in 32 bits; the
  // clamp only keeps a misuse from wrapping.
  auto length = static_cast<uint32_t>(std::min<size_t>(token.size(), UINT32_MAX));
  entries_.push_back(Entry{arena_.size(), length, id,
                           static_cast<uint32_t>(std::min<size_t>(entries_.size(), UINT32_MAX)),
                           hash_of(token.substr(0, length))});
  arena_.append(token.data(), length);
}

std::string_view TokenVocab::token_at(size_t i) const { return text(entries_[i]); }

void TokenVocab::finish() {
  if (finished_) return;
  auto by_id = [](const Entry& a, const Entry& b) { return a.id < b.id; };
  // Writers emit vocabularies in id order, so the sort is usually a no-op check.
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_id)) {
    std::stable_sort(entries_.begin(), entries_.end(), by_id);
  }
  dup_ids_.clear();
  hole_count_ = 0;
  first_hole_.reset();
  uint64_t expected = 0;  // next id that should appear
  for (size_t i = 0; i < entries_.size(); ++i) {
    uint32_t id = entries_[i].id;
    if (i > 0 && id == entries_[i - 1].id) {
      dup_ids_.push_back(i);
      continue;
    }
    if (id > expected) {
      if (!first_hole_) first_hole_ = static_cast<uint32_t>(expected);
      hole_count_ += id - expected;
    }
    expected = uint64_t{id} + 1;
  }

  // Build the token index in id order, so the entry kept in the table has the lowest id.
  size_t cap = 16;
  while (cap < entries_.size() * 2) cap *= 2;
  table_.assign(cap, kEmptySlot);
  next_same_.clear();
  dup_tokens_.clear();
  std::vector<uint32_t> last_same;  // per first entry: last entry of its chain (dups only)
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    size_t slot = slot_of(text(e), e.hash);
    if (table_[slot] == kEmptySlot) {
      table_[slot] = (uint64_t{e.hash} << 32) | i;
      continue;
    }
    dup_tokens_.push_back(i);
    if (next_same_.empty()) {
      next_same_.assign(entries_.size(), kEmpty);
      last_same.assign(entries_.size(), kEmpty);
    }
    auto first = static_cast<uint32_t>(table_[slot]);
    uint32_t tail = last_same[first] == kEmpty ? first : last_same[first];
    next_same_[tail] = static_cast<uint32_t>(i);
    last_same[first] = static_cast<uint32_t>(i);
  }
  finished_ = true;
}

uint32_t TokenVocab::hash_of(std::string_view token) {
  const uint64_t h = std::hash<std::string_view>{}(token);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

size_t TokenVocab::slot_of(std::string_view token, uint32_t hash) const {
  const size_t mask = table_.size() - 1;
  size_t slot = hash & mask;
  // The table is at most half full, so probing always reaches an empty slot.
  for (;; slot = (slot + 1) & mask) {
    const uint64_t v = table_[slot];
    if (v == kEmptySlot) return slot;
    if (static_cast<uint32_t>(v >> 32) == hash &&
        text(entries_[static_cast<uint32_t>(v)]) == token) {
      return slot;
    }
  }
}

std::optional<std::string_view> TokenVocab::token(uint32_t id) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                             [](const Entry& e, uint32_t v) { return e.id < v; });
  if (it == entries_.end() || it->id != id) return std::nullopt;
  return text(*it);
}

std::vector<uint32_t> TokenVocab::ids_of(std::string_view token) const {
  std::vector<uint32_t> ids;
  if (table_.empty()) return ids;
  const uint64_t v = table_[slot_of(token, hash_of(token))];
  uint32_t e = v == kEmptySlot ? kEmpty : static_cast<uint32_t>(v);
  while (e != kEmpty) {
    if (ids.empty() || ids.back() != entries_[e].id) ids.push_back(entries_[e].id);
    e = next_same_.empty() ? kEmpty : next_same_[e];
  }
  return ids;
}

std::optional<uint32_t> TokenVocab::find(std::string_view token) const {
  if (table_.empty()) return std::nullopt;
  const uint64_t v = table_[slot_of(token, hash_of(token))];
  if (v == kEmptySlot) return std::nullopt;
  return entries_[static_cast<uint32_t>(v)].id;
}

std::optional<uint32_t> TokenVocab::max_id() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().id;
}

}  // namespace medq
