#include "medq/tokenize/added_vocabulary.hpp"

#include <algorithm>

#include "medq/tokenize/normalizer.hpp"
#include "unicode_chars.hpp"

namespace medq {

using namespace tokenize_detail;

void AddedVocabulary::Trie::insert(std::string_view key, size_t token) {
  uint32_t n = 0;
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    auto& next = nodes[n].next;
    auto it = std::lower_bound(next.begin(), next.end(), c,
                               [](const auto& e, unsigned char v) { return e.first < v; });
    if (it != next.end() && it->first == c) {
      n = it->second;
      continue;
    }
    const auto child = static_cast<uint32_t>(nodes.size());
    next.insert(it, {c, child});
    nodes.emplace_back();
    n = child;
  }
  // The first token with a given content wins, as aho-corasick keeps the first pattern.
  if (nodes[n].token < 0) nodes[n].token = static_cast<int64_t>(token);
}

std::optional<std::pair<size_t, size_t>> AddedVocabulary::Trie::longest(std::string_view text,
                                                                        size_t pos) const {
  std::optional<std::pair<size_t, size_t>> best;
  uint32_t n = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto& next = nodes[n].next;
    auto it = std::lower_bound(next.begin(), next.end(), c,
                               [](const auto& e, unsigned char v) { return e.first < v; });
    if (it == next.end() || it->first != c) break;
    n = it->second;
    if (nodes[n].token >= 0)
      best = std::make_pair(static_cast<size_t>(nodes[n].token), i + 1 - pos);
  }
  return best;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedTokenSpec> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    by_id_.emplace(tokens_[i].id, i);
    by_text_.emplace(tokens_[i].content, i);
  }
  // added_vocabulary.rs, refresh_added_tokens: special tokens first, then the others, each in
  // file order; empty contents are never added.
  std::vector<size_t> order;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (tokens_[i].special) order.push_back(i);
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (!tokens_[i].special) order.push_back(i);
  }
  for (const size_t i : order) {
    const AddedTokenSpec& t = tokens_[i];
    if (t.content.empty()) continue;
    if (t.normalized) {
      std::string c = t.content;
      if (normalizer != nullptr) normalizer->apply(c);
      if (!c.empty()) normalized_.insert(c, i);
    } else {
      raw_.insert(t.content, i);
    }
  }
}

const AddedTokenSpec* AddedVocabulary::find(std::string_view content) const {
  const auto it = by_text_.find(content);
  return it == by_text_.end() ? nullptr : &tokens_[it->second];
}

const AddedTokenSpec* AddedVocabulary::find_id(uint32_t id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

void AddedVocabulary::split(std::vector<TextPart>& parts, bool normalized_set) const {
  const Trie& trie = normalized_set ? normalized_ : raw_;
  std::vector<TextPart> out;
  out.reserve(parts.size());
  for (const TextPart& p : parts) {
    if (p.id) {
      out.push_back(p);
    } else {
      split_one(p, trie, out);
    }
  }
  parts = std::move(out);
}

void AddedVocabulary::split_one(const TextPart& part, const Trie& trie,
                                std::vector<TextPart>& out) const {
  const std::string_view s = part.text;
  const auto emit = [&](size_t b, size_t e, std::optional<uint32_t> id) {
    if (e > b) out.push_back({std::string(s.substr(b, e - b)), id, part.at_origin && b == 0});
  };
  // find_matches: leftmost-longest, non-overlapping.
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    const auto m = trie.nodes.size() > 1 ? trie.longest(s, pos) : std::nullopt;
    if (!m) {
      pos += char_len(s, pos);
      continue;
    }
    const AddedTokenSpec& tok = tokens_[m->first];
    size_t start = pos;
    size_t stop = pos + m->second;
    pos = stop;  // the next search starts after this match, whether it is kept or not
    if (tok.single_word) {
      const bool start_space =
          start == 0 || !is_word_char(code_point_at(s, prev_char_start(s, start)));
      const bool stop_space = stop == s.size() || !is_word_char(code_point_at(s, stop));
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      size_t b = start;
      while (b > 0) {
        const size_t pc = prev_char_start(s, b);
        if (!is_white_space(code_point_at(s, pc))) break;
        b = pc;
      }
      start = std::max(b, start_offset);
    }
    if (tok.rstrip) {
      while (stop < s.size() && is_white_space(code_point_at(s, stop))) stop += char_len(s, stop);
      pos = stop;
    }
    emit(start_offset, start, std::nullopt);
    emit(start, stop, tok.id);
    start_offset = stop;
  }
  emit(start_offset, s.size(), std::nullopt);
}

}  // namespace medq
