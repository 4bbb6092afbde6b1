#include "medq/tokenize/bpe_model.hpp"

#include <algorithm>
#include <queue>

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "medq/util/parallel.hpp"
#include "unicode_chars.hpp"

namespace medq {

namespace {

constexpr size_t kCacheEntries = size_t{1} << 17;  // tokenizers' DEFAULT_CACHE_CAPACITY is 10k
constexpr size_t kCacheMaxWordBytes = 256;         // tokenizers' MAX_LENGTH

uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }

}  // namespace

namespace {

constexpr uint64_t kAbsent = ~uint64_t{0};
constexpr uint64_t kUsed = uint64_t{1} << 63;

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ULL;

/// FNV-1a, 64-bit, continued from state `h` over `s`.
uint64_t fnv_continue(uint64_t h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// A finished FNV state as a token-table hash: never 0 (0 marks an empty token slot).
uint64_t finish(uint64_t h) { return h == 0 ? 1 : h; }

/// FNV-1a, 64-bit, never 0.
uint64_t hash_bytes(std::string_view s) { return finish(fnv_continue(kFnvBasis, s)); }

constexpr uint32_t kNoId = ~uint32_t{0};

uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

size_t table_size(size_t n) {
  size_t c = 16;
  while (c < n * 2) c <<= 1;
  return c;
}

}  // namespace

std::optional<uint32_t> BpeModel::find_token(std::string_view token, uint64_t hash) const {
  if (tokens_.empty()) return std::nullopt;
  const size_t mask = tokens_.size() - 1;
  for (size_t i = mix(hash) & mask;; i = (i + 1) & mask) {
    const Slot& s = tokens_[i];
    if (s.value == 0) return std::nullopt;
    if (s.key == hash) {
      const auto id = static_cast<uint32_t>(s.value - 1);
      const uint64_t span = token_span_[id];
      if (std::string_view(arena_).substr(span >> 24, span & 0xFFFFFF) == token) return id;
    }
  }
}

const BpeModel::Slot* BpeModel::find_merge(uint32_t left, uint32_t right) const {
  if (merges_.empty()) return nullptr;
  const uint64_t key = pair_key(left, right);
  const size_t mask = merges_.size() - 1;
  for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    const Slot& s = merges_[i];
    if (s.value == 0) return nullptr;
    if (s.key == key) return &s;
  }
}

BpeModel::BpeModel(const std::vector<std::pair<std::string_view, uint32_t>>& vocab,
                   const std::vector<std::pair<std::string_view, std::string_view>>& merges,
                   Options options)
    : opt_(std::move(options)) {
  uint32_t max_id = 0;
  size_t bytes = 0;
  for (const auto& [tok, id] : vocab) {
    if (id >= kMaxTokenId) {
      throw TokenizeError(fmt::format("BPE vocab id {} of {} is too large", id, quote_text(tok)));
    }
    if (tok.size() >= (size_t{1} << 24)) throw TokenizeError("a BPE vocab token is too long");
    max_id = std::max(max_id, id);
    bytes += tok.size();
  }
  if (bytes >= (uint64_t{1} << 39)) throw TokenizeError("the BPE vocab is too large");
  token_span_.assign(vocab.empty() ? 0 : size_t{max_id} + 1, kAbsent);
  arena_.reserve(bytes);
  tokens_.assign(table_size(vocab.size()), Slot{});
  const size_t mask = tokens_.size() - 1;
  for (const auto& [tok, id] : vocab) {
    const uint64_t h = hash_bytes(tok);
    // serde keeps the last of repeated JSON keys; the last string given an id keeps it.
    if (const auto old = find_token(tok, h)) {
      if (*old == id) continue;
      throw TokenizeError(fmt::format("BPE vocab token {} appears twice", quote_text(tok)));
    }
    token_span_[id] = (uint64_t{arena_.size()} << 24) | tok.size();
    arena_.append(tok);
    size_t i = mix(h) & mask;
    while (tokens_[i].value != 0) i = (i + 1) & mask;
    tokens_[i] = {h, uint64_t{id} + 1};
    ++vocab_size_;
  }
  const size_t prefix_len =
      opt_.continuing_subword_prefix ? opt_.continuing_subword_prefix->size() : 0;
  merges_.assign(table_size(merges.size()), Slot{});
  const size_t mmask = merges_.size() - 1;
  // The ids of every merge's parts and result (kNoId: not in the vocab), looked up first, on
  // both cores and in batches whose table slots are prefetched before they are probed: the
  // 1.5 million lookups of Gemma 3's merges are cache misses, and were most of its load time.
  std::vector<uint32_t> ids(3 * merges.size(), kNoId);
  constexpr size_t kBatch = 64;
  const size_t batches = (merges.size() + kBatch - 1) / kBatch;
  parallel_for(batches, merges.size() > 50000 ? 0 : 1, [&](size_t batch) {
    const size_t lo = batch * kBatch, hi = std::min(merges.size(), lo + kBatch);
    uint64_t h[3 * kBatch];
    std::string joined;
    for (size_t r = lo; r < hi; ++r) {
      const auto& [a, b] = merges[r];
      const size_t k = 3 * (r - lo);
      const uint64_t ha = fnv_continue(kFnvBasis, a);
      h[k] = finish(ha);
      h[k + 1] = hash_bytes(b);
      h[k + 2] = b.size() < prefix_len ? 0 : finish(fnv_continue(ha, b.substr(prefix_len)));
      for (size_t j = k; j < k + 3; ++j)
        if (h[j] != 0) __builtin_prefetch(&tokens_[mix(h[j]) & mask]);
    }
    for (size_t r = lo; r < hi; ++r) {
      const auto& [a, b] = merges[r];
      const size_t k = 3 * (r - lo);
      if (const auto id = find_token(a, h[k])) ids[3 * r] = *id;
      if (const auto id = find_token(b, h[k + 1])) ids[3 * r + 1] = *id;
      if (h[k + 2] == 0) continue;
      joined.assign(a);
      joined.append(b.substr(prefix_len));
      if (const auto id = find_token(joined, h[k + 2])) ids[3 * r + 2] = *id;
    }
  });
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const uint32_t ia = ids[3 * rank], ib = ids[3 * rank + 1], inew = ids[3 * rank + 2];
    if (ia == kNoId || ib == kNoId) {
      throw TokenizeError(fmt::format("BPE merge {} ({} {}) uses a token not in the vocab", rank,
                                      quote_text(a), quote_text(b)));
    }
    if (b.size() < prefix_len) {
      throw TokenizeError(
          fmt::format("BPE merge {}: {} is shorter than the subword prefix", rank, quote_text(b)));
    }
    if (inew == kNoId) {
      std::string joined(a);
      joined.append(b.substr(prefix_len));
      throw TokenizeError(
          fmt::format("BPE merge {}: {} is not in the vocab", rank, quote_text(joined)));
    }
    // A repeated pair keeps the later rank, as collecting into tokenizers' HashMap does.
    const uint64_t key = pair_key(ia, ib);
    const uint64_t value = kUsed | (uint64_t{static_cast<uint32_t>(rank)} << 32) | inew;
    size_t i = mix(key) & mmask;
    while (merges_[i].value != 0 && merges_[i].key != key) i = (i + 1) & mmask;
    if (merges_[i].value == 0) ++merge_count_;
    merges_[i] = {key, value};
  }
  if (opt_.unk_token) {
    unk_id_ = token_to_id(*opt_.unk_token);
  }
  for (int b = 0; b < 256; ++b) {
    const auto id = token_to_id(fmt::format("<0x{:02X}>", b));
    byte_ids_[static_cast<size_t>(b)] = id ? static_cast<int64_t>(*id) : -1;
  }
}

std::optional<uint32_t> BpeModel::token_to_id(std::string_view token) const {
  return find_token(token, hash_bytes(token));
}

std::optional<std::string_view> BpeModel::id_to_token(uint32_t id) const {
  if (id >= token_span_.size() || token_span_[id] == kAbsent) return std::nullopt;
  const uint64_t span = token_span_[id];
  return std::string_view(arena_).substr(span >> 24, span & 0xFFFFFF);
}

void BpeModel::tokenize(std::string_view word, std::vector<uint32_t>& out) const {
  if (word.empty()) return;
  if (opt_.ignore_merges) {
    if (const auto id = token_to_id(word)) {
      out.push_back(*id);
      return;
    }
  }
  const bool cacheable = word.size() < kCacheMaxWordBytes;
  if (cacheable) {
    const auto it = cache_.find(std::string(word));
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t start = out.size();
  merge_word(word, out);
  if (cacheable) {
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_.emplace(
        std::string(word),
        std::vector<uint32_t>(out.begin() + static_cast<std::ptrdiff_t>(start), out.end()));
  }
}

void BpeModel::merge_word(std::string_view w, std::vector<uint32_t>& out) const {
  using tokenize_detail::char_len;
  struct Sym {
    uint32_t c;
    int64_t prev, next;
    size_t len;
  };
  std::vector<Sym> syms;
  syms.reserve(w.size());
  const auto add = [&](uint32_t id, size_t len) {
    const auto n = static_cast<int64_t>(syms.size());
    syms.push_back({id, n - 1, -1, len});
    if (n > 0) syms[static_cast<size_t>(n - 1)].next = n;
  };
  // model.rs, merge_word: characters to ids, byte fallback, unk.
  // The pending unknown run (model.rs: `unk: Option<(u32, usize)>`).
  bool unk = false;
  uint32_t unk_tok = 0;
  size_t unk_len = 0;
  std::string s;
  for (size_t i = 0; i < w.size();) {
    const size_t n = char_len(w, i);
    const bool first = i == 0;
    const bool last = i + n >= w.size();
    s.clear();
    if (!first && opt_.continuing_subword_prefix) s += *opt_.continuing_subword_prefix;
    s.append(w, i, n);
    if (last && opt_.end_of_word_suffix) s += *opt_.end_of_word_suffix;
    i += n;
    if (const auto id = token_to_id(s)) {
      if (unk) {
        add(unk_tok, unk_len);
        unk = false;
      }
      add(*id, n);
      continue;
    }
    if (opt_.byte_fallback) {
      bool all = true;
      for (const char c : s) all = all && byte_ids_[static_cast<unsigned char>(c)] >= 0;
      if (all) {
        // As in model.rs, a pending unk is not flushed first: it is added after the bytes.
        for (const char c : s)
          add(static_cast<uint32_t>(byte_ids_[static_cast<unsigned char>(c)]), 1);
        continue;
      }
    }
    if (opt_.unk_token) {
      if (!unk_id_) {
        throw TokenizeError(
            fmt::format("the unk token {} is not in the vocab", quote_text(*opt_.unk_token)));
      }
      if (unk && opt_.fuse_unk) {
        unk_len += n;
      } else {
        if (unk) add(unk_tok, unk_len);
        unk = true;
        unk_tok = *unk_id_;
        unk_len = n;
      }
    }
  }
  if (unk) add(unk_tok, unk_len);

  // word.rs, merge_all: lowest rank first, leftmost on ties; stale entries skipped.
  struct Merge {
    uint32_t rank;
    size_t pos;
    uint32_t new_id;
    bool operator>(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Merge, std::vector<Merge>, std::greater<>> queue;
  const auto lookup = [&](uint32_t a, uint32_t b) -> const uint64_t* {
    const Slot* m = find_merge(a, b);
    return m == nullptr ? nullptr : &m->value;
  };
  for (size_t i = 0; i + 1 < syms.size(); ++i) {
    if (const uint64_t* m = lookup(syms[i].c, syms[i + 1].c)) {
      queue.push({static_cast<uint32_t>((*m >> 32) & 0x7FFFFFFF), i, static_cast<uint32_t>(*m)});
    }
  }
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Sym& cur = syms[top.pos];
    if (cur.len == 0 || cur.next < 0) continue;
    const auto next_pos = static_cast<size_t>(cur.next);
    const Sym right = syms[next_pos];
    const uint64_t* m = lookup(cur.c, right.c);
    if (m == nullptr || static_cast<uint32_t>(*m) != top.new_id) continue;
    cur.c = top.new_id;
    cur.len += right.len;
    cur.next = right.next;
    syms[next_pos].len = 0;
    if (right.next >= 0) syms[static_cast<size_t>(right.next)].prev = static_cast<int64_t>(top.pos);
    if (cur.prev >= 0) {
      const auto p = static_cast<size_t>(cur.prev);
      if (const uint64_t* pm = lookup(syms[p].c, cur.c)) {
        queue.push(
            {static_cast<uint32_t>((*pm >> 32) & 0x7FFFFFFF), p, static_cast<uint32_t>(*pm)});
      }
    }
    if (cur.next >= 0) {
      const auto nx = static_cast<size_t>(cur.next);
      if (const uint64_t* nm = lookup(cur.c, syms[nx].c)) {
        queue.push(
            {static_cast<uint32_t>((*nm >> 32) & 0x7FFFFFFF), top.pos, static_cast<uint32_t>(*nm)});
      }
    }
  }
  for (const Sym& sym : syms) {
    if (sym.len != 0) out.push_back(sym.c);
  }
}

}  // namespace medq
