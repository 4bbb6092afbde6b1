#include "medq/tokenize/bpe_model.hpp"

#include <queue>

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "unicode_chars.hpp"

namespace medq {

namespace {

constexpr size_t kCacheEntries = size_t{1} << 17;  // tokenizers' DEFAULT_CACHE_CAPACITY is 10k
constexpr size_t kCacheMaxWordBytes = 256;         // tokenizers' MAX_LENGTH

uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }

}  // namespace

BpeModel::BpeModel(std::vector<std::pair<std::string, uint32_t>> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, Options options)
    : opt_(std::move(options)) {
  uint32_t max_id = 0;
  for (const auto& [tok, id] : vocab) {
    if (id >= kMaxTokenId) {
      throw TokenizeError(fmt::format("BPE vocab id {} of {} is too large", id, quote_text(tok)));
    }
    max_id = std::max(max_id, id);
  }
  id_to_token_.resize(vocab.empty() ? 0 : size_t{max_id} + 1);
  has_id_.assign(id_to_token_.size(), false);
  for (auto& [tok, id] : vocab) {
    id_to_token_[id] = std::move(tok);
    has_id_[id] = true;
  }
  // Views into id_to_token_, which no longer changes size. serde reads a JSON map keeping the
  // last of repeated keys; two tokens with one id keep the later string.
  token_to_id_.reserve(id_to_token_.size());
  for (uint32_t id = 0; id < id_to_token_.size(); ++id) {
    if (has_id_[id]) token_to_id_[id_to_token_[id]] = id;
  }
  const size_t prefix_len =
      opt_.continuing_subword_prefix ? opt_.continuing_subword_prefix->size() : 0;
  merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const auto ia = token_to_id(a);
    const auto ib = token_to_id(b);
    if (!ia || !ib) {
      throw TokenizeError(fmt::format("BPE merge {} ({} {}) uses a token not in the vocab", rank,
                                      quote_text(a), quote_text(b)));
    }
    if (b.size() < prefix_len) {
      throw TokenizeError(
          fmt::format("BPE merge {}: {} is shorter than the subword prefix", rank, quote_text(b)));
    }
    joined.assign(a);
    joined.append(b, prefix_len, std::string::npos);
    const auto inew = token_to_id(joined);
    if (!inew) {
      throw TokenizeError(
          fmt::format("BPE merge {}: {} is not in the vocab", rank, quote_text(joined)));
    }
    // A repeated pair keeps the later rank, as collecting into tokenizers' HashMap does.
    merges_[pair_key(*ia, *ib)] = (uint64_t{static_cast<uint32_t>(rank)} << 32) | *inew;
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
  const auto it = token_to_id_.find(token);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> BpeModel::id_to_token(uint32_t id) const {
  if (id >= id_to_token_.size() || !has_id_[id]) return std::nullopt;
  return id_to_token_[id];
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
    const auto it = merges_.find(pair_key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i + 1 < syms.size(); ++i) {
    if (const uint64_t* m = lookup(syms[i].c, syms[i + 1].c)) {
      queue.push({static_cast<uint32_t>(*m >> 32), i, static_cast<uint32_t>(*m)});
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
        queue.push({static_cast<uint32_t>(*pm >> 32), p, static_cast<uint32_t>(*pm)});
      }
    }
    if (cur.next >= 0) {
      const auto nx = static_cast<size_t>(cur.next);
      if (const uint64_t* nm = lookup(cur.c, syms[nx].c)) {
        queue.push({static_cast<uint32_t>(*nm >> 32), top.pos, static_cast<uint32_t>(*nm)});
      }
    }
  }
  for (const Sym& sym : syms) {
    if (sym.len != 0) out.push_back(sym.c);
  }
}

}  // namespace medq
