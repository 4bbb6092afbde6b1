// A tokenizer.json tokenizer, encoding as Hugging Face tokenizers' TokenizerImpl::encode does
// (tokenizers/src/tokenizer/mod.rs, encode_single_sequence): added tokens split from the raw
// text, each other part normalized, normalized added tokens split, pre-tokenized, the BPE model
// on each piece, then the post-processor's template. Loading refuses, by name, every component
// medq does not implement (tokenizer_json_loader.cpp lists them).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/io/storage.hpp"
#include "medq/tokenize/added_vocabulary.hpp"
#include "medq/tokenize/bpe_model.hpp"
#include "medq/tokenize/normalizer.hpp"
#include "medq/tokenize/post_processor.hpp"
#include "medq/tokenize/pre_tokenizer.hpp"

namespace medq {

class JsonTokenizer {
 public:
  /// Parses tokenizer.json held in `text` (the simdjson padding is added here).
  static JsonTokenizer parse(std::string_view text);
  /// Reads and parses the file (through the formats stage's size-capped reader).
  static JsonTokenizer load(const std::filesystem::path& path);
  /// The same for an opened entry; `label` names it in messages.
  static JsonTokenizer load(Opened file, std::string_view label);

  /// Ids of valid UTF-8 `text`; with `add_special`, the post-processor's tokens around them.
  std::vector<uint32_t> encode(std::string_view text, bool add_special) const;

  /// The token string of `id` (an added token's content takes precedence, as id_to_token).
  std::optional<std::string_view> id_to_token(uint32_t id) const;
  std::optional<uint32_t> token_to_id(std::string_view token) const;
  /// The bytes `id` stands for, for display: GPT-2 characters mapped back for byte-level
  /// tokenizers, "<0xNN>" as its byte, "▁" as a space (the decoders these tokenizers name).
  std::string decode_piece(uint32_t id) const;

  const PostProcessor& post_processor() const { return post_; }
  /// Replaces the template (tokenizer_config.json's add_bos_token / add_eos_token).
  void set_post_processor(PostProcessor p) { post_ = std::move(p); }
  /// "BPE; normalizer NFC; pre-tokenizer Split, ByteLevel; post-processor ByteLevel".
  std::string describe() const;
  size_t vocab_size() const;

 private:
  JsonTokenizer() = default;
  friend struct JsonTokenizerLoader;

  Normalizer normalizer_;
  PreTokenizer pre_tokenizer_;
  std::unique_ptr<BpeModel> model_;
  AddedVocabulary added_;
  PostProcessor post_;
  std::string decoder_;
};

}  // namespace medq
