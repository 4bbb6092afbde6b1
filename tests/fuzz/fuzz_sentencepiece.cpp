// libFuzzer target: the SentencePiece tokenizer.model reader (protobuf wire format).
#include <cstddef>
#include <cstdint>
#include <span>

#include "medq/check/tokenizer_checks.hpp"
#include "medq/formats/sentencepiece.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = medq::parse_sentencepiece(std::span<const uint8_t>(data, size), "tokenizer.model");
  if (r.model) {
    medq::TokenizerInputs in;
    in.sentencepiece = &*r.model;
    in.config_vocab_size = 1024;
    (void)medq::check_tokenizer(in);
  }
  return 0;
}
