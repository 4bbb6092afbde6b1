#include "tokenizer_json_checks.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/formats/json_file.hpp"

namespace medq::detail {
namespace {

class Reporter {
 public:
  Reporter(const TokenizerJson& tok, CappedFindings* out) : tok_(tok), out_(out) {}
  void operator()(std::string code, Severity sev, std::string pointer, std::string message) {
    Finding f;
    f.code = std::move(code);
    f.severity = sev;
    f.where.file = tok_.file;
    f.where.json_pointer = std::move(pointer);
    f.message = std::move(message);
    out_->add(std::move(f));
  }

 private:
  const TokenizerJson& tok_;
  CappedFindings* out_;
};

// Pointer to the vocab entry at index i (in id order).
std::string vocab_pointer(const TokenizerJson& tok, size_t i) {
  if (tok.vocab_is_list) return fmt::format("/model/vocab/{}", tok.vocab.file_index_at(i));
  return "/model/vocab/" + json_pointer_escape(tok.vocab.token_at(i));
}

void resolve_model_type(TokenizerJson& tok, const TokenizerJsonFacts& facts, Reporter& report) {
  if (tok.model_type_tagged) {
    const std::string& t = tok.model_type_raw;
    if (t == "BPE") {
      tok.model_type = TokenizerModelType::kBPE;
    } else if (t == "Unigram") {
      tok.model_type = TokenizerModelType::kUnigram;
    } else if (t == "WordPiece") {
      tok.model_type = TokenizerModelType::kWordPiece;
    } else if (t == "WordLevel") {
      tok.model_type = TokenizerModelType::kWordLevel;
    } else {
      report("tokenizer.unknown_model_type", Severity::kError, "/model/type",
             fmt::format("expected \"BPE\", \"Unigram\", \"WordPiece\" or \"WordLevel\", found {}",
                         quote_text(t)));
    }
    return;
  }
  // Legacy files have no tag; tokenizers then tries BPE, WordPiece, WordLevel, Unigram in turn.
  // The fields present say which of them can succeed.
  if (facts.has_merges) {
    tok.model_type = TokenizerModelType::kBPE;
  } else if (facts.has_vocab && tok.vocab_is_list) {
    tok.model_type = TokenizerModelType::kUnigram;
  } else if (facts.has_wordpiece_fields) {
    tok.model_type = TokenizerModelType::kWordPiece;
  } else if (facts.has_vocab) {
    tok.model_type = TokenizerModelType::kWordLevel;
  }
  report("tokenizer.untagged_model", Severity::kInfo, "/model",
         fmt::format("expected a \"type\" tag in the model (files written since tokenizers 0.10 "
                     "have one), found none; the fields match {}",
                     model_type_name(tok.model_type)));
}

void check_vocab(const TokenizerJson& tok, const TokenizerJsonFacts& facts, Reporter& report) {
  const TokenVocab& v = tok.vocab;
  const bool list_expected = tok.model_type == TokenizerModelType::kUnigram;
  if (!facts.has_vocab) {
    report("tokenizer.missing_vocab", Severity::kError, "/model",
           "expected a \"vocab\" in the model, found none");
    return;
  }
  if (tok.model_type != TokenizerModelType::kUnknown && tok.vocab_is_list != list_expected) {
    report(
        "tokenizer.vocab_shape", Severity::kError, "/model/vocab",
        fmt::format("expected {} for a {} model, found {}",
                    list_expected ? "a [piece, score] list" : "a token -> id object",
                    model_type_name(tok.model_type), tok.vocab_is_list ? "a list" : "an object"));
  }
  if (v.empty()) {
    report("tokenizer.empty_vocab", Severity::kError, "/model/vocab",
           "expected at least one token in the vocab, found none");
    return;
  }
  for (size_t i : v.duplicate_id_entries()) {
    report("tokenizer.vocab_duplicate_id", Severity::kError, vocab_pointer(tok, i),
           fmt::format("expected each id once, found id {} for both {} and {}", v.id_at(i),
                       quote_text(v.token_at(i - 1)), quote_text(v.token_at(i))));
  }
  for (size_t i : v.duplicate_token_entries()) {
    auto first = v.find(v.token_at(i));
    report("tokenizer.vocab_duplicate_token", Severity::kError, vocab_pointer(tok, i),
           fmt::format("expected each token once, found {} with ids {} and {}",
                       quote_text(v.token_at(i)), first ? *first : v.id_at(i), v.id_at(i)));
  }
  if (v.hole_count() > 0) {
    report("tokenizer.vocab_holes", Severity::kWarning, "/model/vocab",
           fmt::format("expected ids 0..{} without gaps, found {} missing (first: {}); tokenizers "
                       "warns that such a vocabulary could be corrupted",
                       *v.max_id(), v.hole_count(), *v.first_hole()));
  }
}

void check_model_fields(const TokenizerJson& tok, const TokenizerJsonFacts& facts,
                        Reporter& report) {
  if (tok.model_type == TokenizerModelType::kBPE && !facts.has_merges) {
    report("tokenizer.missing_merges", Severity::kError, "/model",
           "expected \"merges\" in a BPE model (tokenizers refuses to load without them), found "
           "none");
  }
  const TokenVocab& v = tok.vocab;
  if (tok.unk_token && tok.model_type != TokenizerModelType::kUnigram && !v.empty() &&
      !v.find(*tok.unk_token)) {
    report("tokenizer.unk_not_in_vocab", Severity::kError, "/model/unk_token",
           fmt::format("expected unk_token {} to be in the vocab, found no such token",
                       quote_text(*tok.unk_token)));
  }
  if (tok.unk_id && tok.model_type == TokenizerModelType::kUnigram && *tok.unk_id >= v.size()) {
    report("tokenizer.unk_id_out_of_range", Severity::kError, "/model/unk_id",
           fmt::format("expected unk_id below the vocab size {}, found {}", v.size(), *tok.unk_id));
  }
  if (tok.byte_fallback.value_or(false) && !v.empty()) {
    int missing = 0;
    std::string first;
    for (int b = 0; b < 256; ++b) {
      std::string piece = fmt::format("<0x{:02X}>", b);
      if (!v.find(piece)) {
        if (missing++ == 0) first = piece;
      }
    }
    if (missing > 0) {
      report("tokenizer.byte_fallback_incomplete", Severity::kWarning, "/model/byte_fallback",
             fmt::format("expected all 256 byte tokens <0x00>..<0xFF> with byte_fallback, found "
                         "{} missing (first: {}); those bytes decode as unk",
                         missing, first));
    }
  }
}

void check_added_tokens(const TokenizerJson& tok, Reporter& report) {
  const auto& added = tok.added_tokens;
  std::vector<size_t> order(added.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return added[a].id < added[b].id; });
  for (size_t k = 1; k < order.size(); ++k) {
    const AddedToken& prev = added[order[k - 1]];
    const AddedToken& cur = added[order[k]];
    if (cur.id == prev.id) {
      report("tokenizer.added_token_duplicate_id", Severity::kError,
             fmt::format("/added_tokens/{}/id", cur.index),
             fmt::format("expected unique added-token ids, found id {} for both {} "
                         "(/added_tokens/{}) and {}",
                         cur.id, quote_text(prev.content), prev.index, quote_text(cur.content)));
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return added[a].content < added[b].content; });
  for (size_t k = 1; k < order.size(); ++k) {
    const AddedToken& prev = added[order[k - 1]];
    const AddedToken& cur = added[order[k]];
    if (cur.content == prev.content) {
      report("tokenizer.added_token_duplicate_content", Severity::kWarning,
             fmt::format("/added_tokens/{}/content", cur.index),
             fmt::format("expected each added token once, found {} with ids {} "
                         "(/added_tokens/{}) and {}",
                         quote_text(cur.content), prev.id, prev.index, cur.id));
    }
  }
  // tokenizers gives an added token the id its content has in the model vocab, whatever the
  // file says, and warns; a declared id that holds another token is therefore never used.
  for (const AddedToken& t : added) {
    auto vocab_id = tok.vocab.find(t.content);
    if (vocab_id && *vocab_id != t.id) {
      report("tokenizer.added_token_id_mismatch", Severity::kError,
             fmt::format("/added_tokens/{}/id", t.index),
             fmt::format("expected added token {} to have the id it has in the vocab ({}), "
                         "found id {}",
                         quote_text(t.content), *vocab_id, t.id));
    } else if (!vocab_id) {
      auto at_id = tok.vocab.token(t.id);
      if (at_id) {
        report("tokenizer.added_token_id_mismatch", Severity::kError,
               fmt::format("/added_tokens/{}/id", t.index),
               fmt::format("expected id {} of added token {} to be free or to hold it in the "
                           "vocab, found vocab token {} there",
                           t.id, quote_text(t.content), quote_text(*at_id)));
      }
    }
  }
}

}  // namespace

void check_tokenizer_json(TokenizerJson& tok, const TokenizerJsonFacts& facts,
                          CappedFindings* findings) {
  Reporter report(tok, findings);
  tok.vocab.finish();
  if (!tok.version) {
    report("tokenizer.bad_version", Severity::kError, "",
           "expected \"version\": \"1.0\", found no version (tokenizers refuses the file)");
  } else if (*tok.version != "1.0") {
    report("tokenizer.bad_version", Severity::kError, "/version",
           fmt::format("expected \"1.0\", found {} (tokenizers: \"Unknown tokenizer version\")",
                       quote_text(*tok.version)));
  }
  if (!facts.has_model) {
    report("tokenizer.missing_model", Severity::kError, "",
           "expected a \"model\" object, found none");
  } else {
    resolve_model_type(tok, facts, report);
    check_vocab(tok, facts, report);
    check_model_fields(tok, facts, report);
  }
  check_added_tokens(tok, report);
}

}  // namespace medq::detail
