#include "medq/check/tokenizer_checks.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/formats/token_vocab.hpp"

namespace medq {
namespace {

Finding make(std::string code, Severity sev, std::string file, std::string pointer,
             std::string message) {
  return json_finding(std::move(code), sev, file, std::move(pointer), std::move(message));
}

// Content <-> id over whichever tokenizer source exists: tokenizer.json (added tokens first, as
// tokenizers resolves them, then the model vocab), otherwise tokenizer.model pieces plus
// tokenizer_config.json's added_tokens_decoder.
class TokenLookup {
 public:
  explicit TokenLookup(const TokenizerInputs& in) {
    if (in.tokenizer_json != nullptr) {
      for (const AddedToken& t : in.tokenizer_json->added_tokens) add_extra(t.id, t.content);
      base_ = &in.tokenizer_json->vocab;
      source_ = in.tokenizer_json->file;
    } else if (in.sentencepiece != nullptr) {
      for (size_t i = 0; i < in.sentencepiece->pieces.size(); ++i) {
        pieces_.add(static_cast<uint32_t>(i), in.sentencepiece->pieces[i].piece);
      }
      pieces_.finish();
      base_ = &pieces_;
      source_ = in.sentencepiece->file;
      if (in.tokenizer_config != nullptr) {
        for (const AddedTokenDecl& d : in.tokenizer_config->added_tokens_decoder) {
          add_extra(d.id, d.content);
        }
        source_ += " + " + in.tokenizer_config->file;
      }
    }
  }

  bool available() const { return base_ != nullptr; }
  const std::string& source() const { return source_; }

  /// Every id of `content`, ascending, without repeats.
  std::vector<uint32_t> ids_of(std::string_view content) const {
    std::vector<uint32_t> ids;
    if (base_ != nullptr) ids = base_->ids_of(content);
    if (auto it = extra_by_content_.find(std::string(content)); it != extra_by_content_.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  /// What `id` decodes to.
  std::optional<std::string_view> token(uint32_t id) const {
    if (auto it = extra_by_id_.find(id); it != extra_by_id_.end()) return it->second;
    if (base_ != nullptr) return base_->token(id);
    return std::nullopt;
  }

  /// Max id + 1 over every source.
  uint64_t size() const {
    uint64_t n = 0;
    if (base_ != nullptr && base_->max_id()) n = uint64_t{*base_->max_id()} + 1;
    for (const auto& [id, content] : extra_by_id_) n = std::max(n, uint64_t{id} + 1);
    return n;
  }

 private:
  void add_extra(uint32_t id, const std::string& content) {
    extra_by_id_.emplace(id, content);
    extra_by_content_[content].push_back(id);
  }
  const TokenVocab* base_ = nullptr;
  TokenVocab pieces_;
  std::string source_;
  std::unordered_map<uint32_t, std::string_view> extra_by_id_;
  std::unordered_map<std::string, std::vector<uint32_t>> extra_by_content_;
};

std::string id_list(const std::vector<uint32_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < 5; ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > 5) s += fmt::format(", ... ({} in all)", ids.size());
  return s;
}

void check_sizes(const TokenizerInputs& in, const TokenLookup& lookup, Findings* out) {
  if (!lookup.available()) return;
  uint64_t size = lookup.size();
  if (size == 0) return;
  auto last = lookup.token(static_cast<uint32_t>(size - 1));
  std::string what = fmt::format("max token id {} ({}) + 1, from {}", size - 1,
                                 last ? quote_text(*last) : "?", lookup.source());
  if (in.config_vocab_size && *in.config_vocab_size < size) {
    out->push_back(make("tokenizer.vocab_size_too_small", Severity::kError, in.config_file,
                        in.config_vocab_pointer,
                        fmt::format("expected vocab_size >= {} ({}), found {}", size, what,
                                    *in.config_vocab_size)));
  }
  if (in.embedding_rows) {
    uint64_t rows = *in.embedding_rows;
    if (rows < size) {
      Finding f = make("tokenizer.id_beyond_embedding", Severity::kError, in.embedding_file, "",
                       fmt::format("expected at least {} embedding rows ({}), found {}; ids {}..{} "
                                   "would index past the embedding",
                                   size, what, rows, rows, size - 1));
      f.where.tensor = in.embedding_tensor;
      out->push_back(std::move(f));
    } else if (rows > size) {
      Finding f = make("tokenizer.embedding_padding", Severity::kInfo, in.embedding_file, "",
                       fmt::format("embedding has {} rows, the tokenizer uses {} ({}); the last {} "
                                   "rows are padding no token reaches",
                                   rows, size, what, rows - size));
      f.where.tensor = in.embedding_tensor;
      out->push_back(std::move(f));
    }
  }
}

void check_special_tokens(const TokenizerConfig& cfg, const TokenLookup& lookup,
                          const TokenizerConfig* added_decl_source, Findings* out) {
  for (const SpecialTokenRef& ref : cfg.special_tokens) {
    std::vector<uint32_t> ids = lookup.ids_of(ref.content);
    if (ids.empty()) {
      out->push_back(make("tokenizer.special_token_missing", Severity::kError, cfg.file,
                          ref.pointer,
                          fmt::format("expected {} token {} in the tokenizer ({}), found no such "
                                      "token; a loader would add it at a new id",
                                      ref.role, quote_text(ref.content), lookup.source())));
      continue;
    }
    if (ids.size() > 1) {
      out->push_back(make("tokenizer.special_token_ambiguous", Severity::kError, cfg.file,
                          ref.pointer,
                          fmt::format("expected {} token {} to have one id, found ids {}", ref.role,
                                      quote_text(ref.content), id_list(ids))));
      continue;
    }
    if (added_decl_source == nullptr) continue;
    for (const AddedTokenDecl& d : added_decl_source->added_tokens_decoder) {
      if (d.content == ref.content && d.id != ids[0]) {
        out->push_back(make("tokenizer.special_token_id_mismatch", Severity::kError, cfg.file,
                            ref.pointer,
                            fmt::format("expected {} token {} at id {} as in the tokenizer ({}), "
                                        "found id {} in {} {}",
                                        ref.role, quote_text(ref.content), ids[0], lookup.source(),
                                        d.id, added_decl_source->file, d.pointer)));
      }
    }
  }
}

void check_added_tokens_decoder(const TokenizerInputs& in, const TokenLookup& lookup,
                                Findings* out) {
  // Only meaningful against tokenizer.json: without it the lookup is built from these entries.
  if (in.tokenizer_config == nullptr || in.tokenizer_json == nullptr) return;
  auto named_special = [&](const std::string& content) {
    for (const TokenizerConfig* cfg : {in.tokenizer_config, in.special_tokens_map}) {
      if (cfg == nullptr) continue;
      for (const SpecialTokenRef& r : cfg->special_tokens) {
        if (r.content == content) return true;
      }
    }
    return false;
  };
  for (const AddedTokenDecl& d : in.tokenizer_config->added_tokens_decoder) {
    auto tok = lookup.token(d.id);
    // Named special tokens are covered by special_token_id_mismatch, at the role's location.
    if (tok && *tok != d.content && named_special(d.content)) continue;
    if (!tok || *tok != d.content) {
      out->push_back(make(
          "tokenizer.added_tokens_decoder_mismatch", Severity::kError, in.tokenizer_config->file,
          d.pointer,
          fmt::format("expected id {} to be {} as this file's added_tokens_decoder says, found {} "
                      "in {}",
                      d.id, quote_text(d.content), tok ? quote_text(*tok) : "no token with that id",
                      in.tokenizer_json->file)));
    }
  }
}

void check_role_conflicts(const TokenizerInputs& in, Findings* out) {
  if (in.tokenizer_config == nullptr || in.special_tokens_map == nullptr) return;
  for (const SpecialTokenRef& ref : in.special_tokens_map->special_tokens) {
    if (ref.role == "additional_special_tokens") continue;
    const SpecialTokenRef* other = in.tokenizer_config->role(ref.role);
    if (other != nullptr && other->content != ref.content) {
      out->push_back(make(
          "tokenizer.special_token_conflict", Severity::kWarning, in.special_tokens_map->file,
          ref.pointer,
          fmt::format("expected {} to match {} ({}), found {}", ref.role, in.tokenizer_config->file,
                      quote_text(other->content), quote_text(ref.content))));
    }
  }
}

void check_generation(const TokenizerInputs& in, const TokenLookup& lookup, Findings* out) {
  const GenerationConfig* gen = in.generation_config;
  if (gen == nullptr) return;
  uint64_t size = lookup.available() ? lookup.size() : 0;
  struct Field {
    const char* name;
    const std::vector<TokenIdRef>* ids;
    const char* role;
  };
  const Field fields[] = {{"bos_token_id", &gen->bos_token_id, "bos_token"},
                          {"eos_token_id", &gen->eos_token_id, "eos_token"},
                          {"pad_token_id", &gen->pad_token_id, "pad_token"}};
  for (const Field& f : fields) {
    for (const TokenIdRef& r : *f.ids) {
      if (size > 0 && r.id >= size) {
        out->push_back(make("tokenizer.generation_id_out_of_range", Severity::kError, gen->file,
                            r.pointer,
                            fmt::format("expected {} below the tokenizer size {} ({}), found {}",
                                        f.name, size, lookup.source(), r.id)));
      } else if (in.embedding_rows && r.id >= *in.embedding_rows) {
        out->push_back(make("tokenizer.generation_id_out_of_range", Severity::kError, gen->file,
                            r.pointer,
                            fmt::format("expected {} below the {} embedding rows, found {}", f.name,
                                        *in.embedding_rows, r.id)));
      }
    }
    if (f.ids->empty() || !lookup.available()) continue;
    // The role's token as the tokenizer files name it (tokenizer_config.json wins).
    const SpecialTokenRef* ref = nullptr;
    if (in.tokenizer_config != nullptr) ref = in.tokenizer_config->role(f.role);
    if (ref == nullptr && in.special_tokens_map != nullptr) {
      ref = in.special_tokens_map->role(f.role);
    }
    if (ref == nullptr) continue;
    std::vector<uint32_t> ids = lookup.ids_of(ref->content);
    if (ids.size() != 1) continue;  // reported by the special-token check
    bool listed = std::any_of(f.ids->begin(), f.ids->end(),
                              [&](const TokenIdRef& r) { return r.id == ids[0]; });
    if (!listed) {
      std::vector<uint32_t> given;
      for (const TokenIdRef& r : *f.ids) given.push_back(static_cast<uint32_t>(r.id));
      out->push_back(
          make("tokenizer.generation_id_mismatch", Severity::kWarning, gen->file,
               "/" + std::string(f.name),
               fmt::format("expected {} to include {} ({} {} in {}), found {}", f.name, ids[0],
                           f.role, quote_text(ref->content), lookup.source(), id_list(given))));
    }
  }
}

void check_model_vs_json(const TokenizerInputs& in, Findings* out) {
  if (in.sentencepiece == nullptr || in.tokenizer_json == nullptr) return;
  const auto& pieces = in.sentencepiece->pieces;
  const TokenVocab& vocab = in.tokenizer_json->vocab;
  if (pieces.empty() || vocab.empty()) return;
  uint64_t differ = 0, only_model = 0, only_json = 0;
  std::vector<std::string> examples;
  auto example = [&](uint64_t id, std::string_view a, std::string_view b) {
    if (examples.size() < 3) {
      examples.push_back(fmt::format("id {}: {} vs {}", id, a, b));
    }
  };
  // Walk the vocab in id order beside the piece list; duplicate ids count once. Vocab ids past
  // the last piece are only counted, so a hostile id near 2^32 costs nothing.
  size_t v = 0;
  for (uint64_t id = 0; id < pieces.size(); ++id) {
    while (v < vocab.size() && vocab.id_at(v) < id) ++v;
    if (v < vocab.size() && vocab.id_at(v) == id) {
      if (vocab.token_at(v) != pieces[id].piece) {
        ++differ;
        example(id, quote_text(pieces[id].piece), quote_text(vocab.token_at(v)));
      }
    } else {
      ++only_model;
      example(id, quote_text(pieces[id].piece), "none");
    }
  }
  for (; v < vocab.size(); ++v) {
    if (vocab.id_at(v) < pieces.size() || (v > 0 && vocab.id_at(v) == vocab.id_at(v - 1))) continue;
    ++only_json;
    example(vocab.id_at(v), "none", quote_text(vocab.token_at(v)));
  }
  if (differ + only_model + only_json == 0) return;
  std::string first;
  for (const std::string& e : examples) first += (first.empty() ? "" : "; ") + e;
  out->push_back(
      make("tokenizer.model_vocab_mismatch", Severity::kError, in.sentencepiece->file, "",
           fmt::format("expected the {} pieces to equal the {} vocab id by id, found {} ids that "
                       "differ, {} only in {}, {} only in {} (first, piece vs vocab: {})",
                       pieces.size(), in.tokenizer_json->file, differ, only_model,
                       in.sentencepiece->file, only_json, in.tokenizer_json->file, first)));
}

}  // namespace

Findings check_tokenizer(const TokenizerInputs& in) {
  Findings out;
  TokenLookup lookup(in);
  check_sizes(in, lookup, &out);
  if (lookup.available()) {
    const TokenizerConfig* decls = in.tokenizer_config;
    if (in.tokenizer_config != nullptr) {
      check_special_tokens(*in.tokenizer_config, lookup, decls, &out);
    }
    if (in.special_tokens_map != nullptr) {
      check_special_tokens(*in.special_tokens_map, lookup, decls, &out);
    }
  }
  check_added_tokens_decoder(in, lookup, &out);
  check_role_conflicts(in, &out);
  check_generation(in, lookup, &out);
  check_model_vs_json(in, &out);
  return out;
}

}  // namespace medq
