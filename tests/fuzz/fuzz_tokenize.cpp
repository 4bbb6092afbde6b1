// libFuzzer target: tokenizer.json loading for encoding and the encoding itself. The input is a
// tokenizer.json, a zero byte, then the text to encode (skipped unless it is UTF-8, as the
// Tokenizer facade refuses other text before encoding).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "medq/tokenize/json_tokenizer.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "medq/util/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t json_len = nul == nullptr ? size : static_cast<size_t>(nul - data);
  const std::string_view json(reinterpret_cast<const char*>(data), json_len);
  const std::string_view text =
      nul == nullptr
          ? std::string_view()
          : std::string_view(reinterpret_cast<const char*>(nul + 1), size - json_len - 1);
  try {
    const medq::JsonTokenizer tok = medq::JsonTokenizer::parse(json);
    if (medq::first_invalid_utf8(std::span(nul == nullptr ? data : nul + 1, text.size()))) {
      return 0;
    }
    for (const uint32_t id : tok.encode(text, true)) (void)tok.decode_piece(id);
  } catch (const medq::TokenizeError&) {
  }
  return 0;
}
