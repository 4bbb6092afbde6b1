#include "tokenizer_json_sax.hpp"

#include <algorithm>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/formats/json_file.hpp"

namespace medq::detail {
namespace {

constexpr uint32_t kRootVersion = 1, kRootAdded = 2, kRootDecoder = 4, kRootModel = 8;
constexpr uint32_t kModelType = 1, kModelVocab = 2, kModelMerges = 4, kModelUnkToken = 8,
                   kModelUnkId = 16, kModelByteFallback = 32;
constexpr uint32_t kTokId = 1, kTokContent = 2, kTokSpecial = 4;
constexpr uint32_t kDecoderType = 1;

}  // namespace

// --- SAX events -------------------------------------------------------------------------------

bool TokenizerJsonSax::null() {
  on_value({Kind::kNull});
  return true;
}
bool TokenizerJsonSax::boolean(bool v) {
  on_value({Kind::kBool, v});
  return true;
}
bool TokenizerJsonSax::number_integer(json::number_integer_t v) {
  // nlohmann reports non-negative integers through number_unsigned, so v < 0 here.
  Value val{Kind::kInt};
  val.u = static_cast<uint64_t>(v);
  on_value(val);
  return true;
}
bool TokenizerJsonSax::number_unsigned(json::number_unsigned_t v) {
  Value val{Kind::kUint};
  val.u = v;
  on_value(val);
  return true;
}
bool TokenizerJsonSax::number_float(json::number_float_t v, const std::string& text) {
  (void)v;
  return on_number_float(text);
}
bool TokenizerJsonSax::on_number_float(std::string_view text) {
  Value val{Kind::kFloat};
  val.s = text;  // for messages
  on_value(val);
  return true;
}
bool TokenizerJsonSax::string(std::string& v) { return on_string(v); }
bool TokenizerJsonSax::on_string(std::string_view v) {
  Value val{Kind::kString};
  val.s = v;
  on_value(val);
  return true;
}
bool TokenizerJsonSax::start_object(std::size_t) { return open({Kind::kObject}); }
bool TokenizerJsonSax::start_array(std::size_t) { return open({Kind::kArray}); }
bool TokenizerJsonSax::end_object() {
  close();
  return true;
}
bool TokenizerJsonSax::end_array() {
  close();
  return true;
}

bool TokenizerJsonSax::key(std::string& k) {
  if (skip_depth_ > 0 || stack_.empty() || stack_.back().ctx == Ctx::kSkip) return true;
  key_copy_ = k;
  key_ = key_copy_;
  return true;
}
bool TokenizerJsonSax::on_key(std::string_view k) {
  if (skip_depth_ > 0 || stack_.empty()) return true;
  if (stack_.back().ctx != Ctx::kSkip) key_ = k;
  return true;
}

bool TokenizerJsonSax::parse_error(std::size_t position, const std::string&,
                                   const nlohmann::detail::exception& ex) {
  facts_->syntax_error = true;
  // `position` counts the characters read, the offending one included.
  facts_->error_byte = position > 0 ? position - 1 : 0;
  facts_->error_message = ex.what();
  return false;
}

// --- State machine ----------------------------------------------------------------------------

namespace {

std::string describe(uint8_t kind, uint64_t u, std::string_view s) {
  switch (kind) {
    case 0:
      return "null";
    case 1:
      return u ? "true" : "false";
    case 2:
      return std::to_string(u);
    case 3:
      return std::to_string(static_cast<int64_t>(u));
    case 4:
      return s.empty() ? "a number" : std::string(s);
    case 5:
      return "a string";
    case 6:
      return "an object";
    default:
      return "a list";
  }
}

}  // namespace

bool TokenizerJsonSax::open(const Value& v) {
  if (skip_depth_ > 0 || stack_.empty()) {
    if (stack_.empty() && skip_depth_ == 0 && v.kind == Kind::kObject) {
      facts_->root_is_object = true;
      stack_.push_back({Ctx::kRoot, false});
    } else {
      ++skip_depth_;
    }
  } else {
    std::optional<Ctx> child = child_context(v);
    if (child && *child != Ctx::kSkip) {
      stack_.push_back({*child, v.kind == Kind::kArray});
    } else {
      ++skip_depth_;
    }
  }
  if (stack_.size() + skip_depth_ > kMaxJsonDepth) {
    facts_->depth_exceeded = true;
    return false;
  }
  return true;
}

void TokenizerJsonSax::close() {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return;
  }
  if (stack_.empty()) return;
  Frame f = stack_.back();
  stack_.pop_back();
  switch (f.ctx) {
    case Ctx::kAddedToken:
      finish_added_token();
      break;
    case Ctx::kVocabPair:
      if (f.count != 2) pair_bad_ = true;
      finish_vocab_pair();
      break;
    case Ctx::kMergePair:
      if (f.count != 2) pair_bad_ = true;
      finish_merge_pair();
      break;
    case Ctx::kVocabObject:
    case Ctx::kVocabList:
      // Nothing touches the vocab again until another "vocab" key opens it (wait_vocab above).
      // (Small vocabularies are indexed in less time than a thread takes to start.)
      if (background_ && !vocab_indexing_.valid() && out_->vocab.size() >= 4096) {
        try {
          vocab_indexing_ =
              std::async(std::launch::async, [vocab = &out_->vocab] { vocab->finish(); });
        } catch (const std::system_error&) {
          // No thread to be had: check_tokenizer_json indexes it afterwards.
        }
      }
      break;
    default:
      break;
  }
}

void TokenizerJsonSax::wait_vocab() {
  if (!vocab_indexing_.valid()) return;
  std::future<void> pending = std::move(vocab_indexing_);
  pending.get();
}

void TokenizerJsonSax::on_value(const Value& v) { (void)child_context(v); }

void TokenizerJsonSax::note_key(uint32_t bit) {
  Frame& f = stack_.back();
  if (f.seen_keys & bit) {
    std::string where = pointer_here();
    bad("tokenizer.duplicate_key", where,
        fmt::format("key {} appears more than once in its object; expected it once (loaders keep "
                    "only one of the values)",
                    where),
        Severity::kWarning);
  }
  f.seen_keys |= bit;
}

// Longer than most functions here on purpose: one switch from (parent context, key) to child
// context is the whole tokenizer.json schema the reader follows, and reads best in one place;
// each case is two or three lines.
std::optional<TokenizerJsonSax::Ctx> TokenizerJsonSax::child_context(const Value& v) {
  if (skip_depth_ > 0 || stack_.empty()) return std::nullopt;
  Frame& f = stack_.back();
  if (f.is_array) ++f.count;
  const bool is_str = v.kind == Kind::kString;
  const bool is_null = v.kind == Kind::kNull;
  auto found = [&] { return describe(static_cast<uint8_t>(v.kind), v.u, v.s); };
  auto wrong = [&](std::string_view expected) {
    bad("tokenizer.bad_field", pointer_here(),
        fmt::format("expected {}, found {}", expected, found()));
  };
  auto as_id = [&]() -> std::optional<uint32_t> {
    if (v.kind == Kind::kUint && v.u <= UINT32_MAX) return static_cast<uint32_t>(v.u);
    return std::nullopt;
  };

  switch (f.ctx) {
    case Ctx::kRoot:
      if (key_ == "version") {
        note_key(kRootVersion);
        if (is_str) {
          out_->version = v.s;
        } else {
          wrong("a version string (\"1.0\")");
        }
      } else if (key_ == "added_tokens") {
        note_key(kRootAdded);
        if (v.kind == Kind::kArray) return Ctx::kAddedTokens;
        wrong("a list of added tokens");
      } else if (key_ == "decoder") {
        note_key(kRootDecoder);
        if (v.kind == Kind::kObject) return Ctx::kDecoder;
        if (!is_null) wrong("an object or null");
      } else if (key_ == "model") {
        note_key(kRootModel);
        facts_->has_model = true;
        if (v.kind == Kind::kObject) return Ctx::kModel;
        wrong("an object");
      }
      return std::nullopt;

    case Ctx::kAddedTokens:
      if (v.kind == Kind::kObject) {
        tok_id_.reset();
        tok_content_.reset();
        tok_special_ = false;
        tok_bad_ = false;
        return Ctx::kAddedToken;
      }
      wrong("an added-token object");
      return std::nullopt;

    case Ctx::kAddedToken:
      if (key_ == "id") {
        note_key(kTokId);
        if (auto id = as_id()) {
          tok_id_ = *id;
        } else {
          wrong("a token id (integer 0..4294967295)");
          tok_bad_ = true;
        }
      } else if (key_ == "content") {
        note_key(kTokContent);
        if (is_str) {
          tok_content_ = std::string(v.s);
        } else {
          wrong("a string");
          tok_bad_ = true;
        }
      } else if (key_ == "special") {
        note_key(kTokSpecial);
        if (v.kind == Kind::kBool) {
          tok_special_ = v.b;
        } else {
          wrong("true or false");
        }
      }
      return std::nullopt;

    case Ctx::kDecoder:
      if (key_ == "type") {
        note_key(kDecoderType);
        if (is_str) {
          out_->decoder_type = v.s;
        } else {
          wrong("a decoder type string");
        }
      } else if (key_ == "decoders" && v.kind == Kind::kArray) {
        return Ctx::kDecoderSteps;
      }
      return std::nullopt;

    case Ctx::kDecoderSteps:
      if (v.kind == Kind::kObject) return Ctx::kDecoderStep;
      return std::nullopt;

    case Ctx::kDecoderStep:
      if (key_ == "type" && is_str && out_->decoder_steps.size() < 1024) {
        out_->decoder_steps.emplace_back(v.s);
      }
      return std::nullopt;

    case Ctx::kModel:
      if (key_ == "type") {
        note_key(kModelType);
        if (is_str) {
          out_->model_type_raw = v.s;
          out_->model_type_tagged = true;
        } else {
          wrong("a model type string");
        }
      } else if (key_ == "vocab") {
        note_key(kModelVocab);
        wait_vocab();  // a second vocab: its entries join the first's
        facts_->has_vocab = true;
        if (v.kind == Kind::kObject) {
          out_->vocab_is_list = false;
          return Ctx::kVocabObject;
        }
        if (v.kind == Kind::kArray) {
          out_->vocab_is_list = true;
          return Ctx::kVocabList;
        }
        wrong("a token -> id object or a [piece, score] list");
      } else if (key_ == "merges") {
        note_key(kModelMerges);
        facts_->has_merges = true;
        if (v.kind == Kind::kArray) return Ctx::kMerges;
        wrong("a list of merges");
      } else if (key_ == "unk_token") {
        note_key(kModelUnkToken);
        if (is_str) {
          out_->unk_token = v.s;
        } else if (!is_null) {
          wrong("a string or null");
        }
      } else if (key_ == "unk_id") {
        note_key(kModelUnkId);
        if (v.kind == Kind::kUint) {
          out_->unk_id = v.u;
        } else if (!is_null) {
          wrong("a non-negative integer or null");
        }
      } else if (key_ == "byte_fallback") {
        note_key(kModelByteFallback);
        if (v.kind == Kind::kBool) {
          out_->byte_fallback = v.b;
        } else {
          wrong("true or false");
        }
      } else if (key_ == "continuing_subword_prefix" || key_ == "max_input_chars_per_word") {
        facts_->has_wordpiece_fields = true;
      }
      return std::nullopt;

    case Ctx::kVocabObject:
      if (auto id = as_id()) {
        if (room_for(out_->vocab.size(), "vocab entries")) out_->vocab.add(*id, key_);
      } else {
        bad("tokenizer.bad_vocab_entry", pointer_here(),
            fmt::format("expected a token id (integer 0..4294967295), found {}", found()));
      }
      return std::nullopt;

    case Ctx::kVocabList:
      if (v.kind == Kind::kArray) {
        pair_piece_.reset();
        pair_bad_ = false;
        return Ctx::kVocabPair;
      }
      bad("tokenizer.bad_vocab_entry", pointer_here(),
          fmt::format("expected a [piece, score] pair, found {}", found()));
      return std::nullopt;

    case Ctx::kVocabPair:
      if (f.count == 1 && is_str) {
        pair_piece_ = std::string(v.s);
      } else if (f.count != 2 ||
                 (v.kind != Kind::kUint && v.kind != Kind::kInt && v.kind != Kind::kFloat)) {
        pair_bad_ = true;
      }
      return std::nullopt;

    case Ctx::kMerges:
      ++out_->merges;
      if (v.kind == Kind::kArray) {
        pair_bad_ = false;
        return Ctx::kMergePair;
      }
      // Legacy merges are "left right": tokenizers splits on ' ' and wants exactly two parts.
      if (!is_str || std::count(v.s.begin(), v.s.end(), ' ') != 1) {
        bad("tokenizer.bad_merge", pointer_here(),
            fmt::format("expected \"left right\" (one space) or [\"left\", \"right\"], found {}",
                        is_str ? quote_text(v.s) : found()));
      }
      return std::nullopt;

    case Ctx::kMergePair:
      if (!is_str) pair_bad_ = true;
      return std::nullopt;

    case Ctx::kSkip:
      return std::nullopt;
  }
  return std::nullopt;
}

void TokenizerJsonSax::finish_added_token() {
  size_t index = stack_.empty() ? 0 : static_cast<size_t>(stack_.back().count - 1);
  if (tok_id_ && tok_content_) {
    if (!room_for(out_->added_tokens.size(), "added tokens")) return;
    out_->added_tokens.push_back(
        AddedToken{static_cast<uint32_t>(*tok_id_), std::move(*tok_content_), tok_special_, index});
  } else if (!tok_bad_) {
    bad("tokenizer.added_token_missing_field", fmt::format("/added_tokens/{}", index),
        fmt::format("expected \"id\" and \"content\", found {}",
                    tok_id_ ? "no \"content\"" : (tok_content_ ? "no \"id\"" : "neither")));
  }
}

void TokenizerJsonSax::finish_vocab_pair() {
  uint64_t index = stack_.empty() ? 0 : stack_.back().count - 1;
  if (pair_piece_ && index <= UINT32_MAX && room_for(out_->vocab.size(), "vocab entries")) {
    // The piece keeps its list position as id even when the score is bad, so that one broken
    // entry does not shift every later id in the comparison with tokenizer.model.
    out_->vocab.add(static_cast<uint32_t>(index), *pair_piece_);
  }
  if (pair_bad_ || !pair_piece_) {
    bad("tokenizer.bad_vocab_entry", fmt::format("/model/vocab/{}", index),
        "expected a [piece, score] pair of a string and a number, found something else");
  }
}

void TokenizerJsonSax::finish_merge_pair() {
  if (!pair_bad_) return;
  uint64_t index = stack_.empty() ? 0 : stack_.back().count - 1;
  bad("tokenizer.bad_merge", fmt::format("/model/merges/{}", index),
      "expected a pair of two strings [\"left\", \"right\"], found a list of another shape");
}

bool TokenizerJsonSax::room_for(size_t count, std::string_view what) {
  if (count < kMaxTokenizerEntries) return true;
  if (!too_many_reported_) {
    too_many_reported_ = true;
    bad("tokenizer.too_many_entries", pointer_here(),
        fmt::format("expected at most {} {}, found more; the rest are not checked",
                    kMaxTokenizerEntries, what));
  }
  return false;
}

void TokenizerJsonSax::bad(std::string code, std::string pointer, std::string message,
                           Severity severity) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.where.file = out_->file;
  f.where.json_pointer = std::move(pointer);
  f.message = std::move(message);
  findings_->add(std::move(f));
}

std::string TokenizerJsonSax::pointer_here() const {
  if (stack_.empty()) return "";
  const Frame& f = stack_.back();
  auto parent_index = [&]() -> uint64_t {
    return stack_.size() >= 2 ? stack_[stack_.size() - 2].count - 1 : 0;
  };
  switch (f.ctx) {
    case Ctx::kRoot:
      return "/" + json_pointer_escape(key_);
    case Ctx::kAddedTokens:
      return fmt::format("/added_tokens/{}", f.count - 1);
    case Ctx::kAddedToken:
      return fmt::format("/added_tokens/{}/{}", parent_index(), json_pointer_escape(key_));
    case Ctx::kDecoder:
      return "/decoder/" + json_pointer_escape(key_);
    case Ctx::kModel:
      return "/model/" + json_pointer_escape(key_);
    case Ctx::kVocabObject:
      return "/model/vocab/" + json_pointer_escape(key_);
    case Ctx::kVocabList:
      return fmt::format("/model/vocab/{}", f.count - 1);
    case Ctx::kVocabPair:
      return fmt::format("/model/vocab/{}/{}", parent_index(), f.count - 1);
    case Ctx::kMerges:
      return fmt::format("/model/merges/{}", f.count - 1);
    case Ctx::kMergePair:
      return fmt::format("/model/merges/{}/{}", parent_index(), f.count - 1);
    default:
      return "";
  }
}

}  // namespace medq::detail
