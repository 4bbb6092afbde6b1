#include "medq/tokenize/json_tokenizer.hpp"

#include <fmt/format.h>

#include "medq/tokenize/byte_level.hpp"

namespace medq {

std::vector<uint32_t> JsonTokenizer::encode(std::string_view text, bool add_special) const {
  // added_vocabulary.rs, extract_and_normalize; then mod.rs, do_pre_tokenize and do_tokenize.
  std::vector<TextPart> parts;
  if (!text.empty()) parts.push_back({std::string(text), std::nullopt, true});
  added_.split(parts, false);
  for (TextPart& p : parts) {
    if (!p.id) normalizer_.apply(p.text);
  }
  added_.split(parts, true);
  std::vector<uint32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<PreToken> pieces;
  for (const TextPart& p : parts) {
    if (p.id) {
      ids.push_back(*p.id);
      continue;
    }
    pieces.clear();
    pieces.push_back({p.text, p.at_origin});
    pre_tokenizer_.apply(pieces);
    for (const PreToken& w : pieces) model_->tokenize(w.text, ids);
  }
  return add_special ? post_.apply(ids) : ids;
}

std::optional<std::string_view> JsonTokenizer::id_to_token(uint32_t id) const {
  if (const AddedTokenSpec* a = added_.find_id(id)) return std::string_view(a->content);
  return model_->id_to_token(id);
}

std::optional<uint32_t> JsonTokenizer::token_to_id(std::string_view token) const {
  if (const AddedTokenSpec* a = added_.find(token)) return a->id;
  return model_->token_to_id(token);
}

std::string JsonTokenizer::decode_piece(uint32_t id) const {
  const auto tok = id_to_token(id);
  if (!tok) return {};
  if (const AddedTokenSpec* a = added_.find_id(id); a != nullptr && a->special) {
    return std::string(*tok);
  }
  if (pre_tokenizer_.byte_level()) {
    if (auto bytes = byte_level_to_bytes(*tok)) return *bytes;
    return std::string(*tok);
  }
  // "<0xNN>" byte-fallback tokens (ByteFallback decoder), then "▁" as a space (Replace or
  // Metaspace decoder).
  if (tok->size() == 6 && tok->substr(0, 3) == "<0x" && (*tok)[5] == '>') {
    unsigned v = 0;
    bool ok = true;
    for (const char c : tok->substr(3, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        ok = false;
      }
    }
    if (ok) return std::string(1, static_cast<char>(v));
  }
  std::string out;
  const std::string_view meta = "\xE2\x96\x81";
  for (size_t i = 0; i < tok->size();) {
    if (tok->substr(i, 3) == meta) {
      out += ' ';
      i += 3;
    } else {
      out += (*tok)[i++];
    }
  }
  return out;
}

std::string JsonTokenizer::describe() const {
  return fmt::format(
      "BPE, {} tokens, {} merges; normalizer {}; pre-tokenizer {}; post-processor {}",
      model_->vocab_size(), model_->merge_count(), normalizer_.describe(),
      pre_tokenizer_.describe(), post_.kind);
}

size_t JsonTokenizer::vocab_size() const { return model_->vocab_size(); }

}  // namespace medq
