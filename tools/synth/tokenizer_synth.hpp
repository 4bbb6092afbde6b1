// A small but valid tokenizer for the generated models, shaped like the real Gemma 3 one:
// tokenizer.json (version 1.0, BPE with byte fallback, contiguous ids, the special tokens as
// added_tokens, the image soft token only there), tokenizer_config.json,
// special_tokens_map.json and a SentencePiece tokenizer.model whose pieces match id by id.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "arch.hpp"

namespace medq::synth {

struct Vocab {
  std::vector<std::string> pieces;  ///< by id, 0..tokenizer_size-1
  std::vector<bool> special;        ///< added (special) tokens
  /// Added tokens that are not in the model vocabulary, only in added_tokens: Gemma 3's
  /// <image_soft_token> (id 262144, after the 262144-piece vocabulary of the real tokenizer).
  std::vector<bool> added_only;
  std::vector<std::string> merges;  ///< "a b", in rank order
};

/// The vocabulary for `arch.ids`: special tokens at their ids, the 256 byte-fallback pieces, the
/// characters, then merged pieces drawn with `seed` until tokenizer_size is reached.
Vocab build_vocab(const Arch& arch, uint64_t seed);

nlohmann::ordered_json tokenizer_json(const Vocab& v, const Arch& arch);
nlohmann::ordered_json tokenizer_config_json(const Vocab& v, const Arch& arch);
nlohmann::ordered_json special_tokens_map_json(const Arch& arch);
/// The SentencePiece ModelProto bytes (docs/formats.md §C.1): BPE, byte_fallback, the same pieces.
std::string sentencepiece_model(const Vocab& v, const Arch& arch);

}  // namespace medq::synth
