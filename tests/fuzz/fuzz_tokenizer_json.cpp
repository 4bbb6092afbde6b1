// libFuzzer target: tokenizer.json through the streaming reader, then the cross-file checks on
// whatever it produced.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "medq/check/tokenizer_checks.hpp"
#include "medq/formats/tokenizer_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = medq::parse_tokenizer_json(text, "tokenizer.json");
  if (r.tokenizer) {
    medq::TokenizerInputs in;
    in.tokenizer_json = &*r.tokenizer;
    in.config_vocab_size = 1024;
    in.embedding_rows = 1024;
    in.embedding_file = "model.safetensors";
    in.embedding_tensor = "model.embed_tokens.weight";
    (void)medq::check_tokenizer(in);
  }
  return 0;
}
