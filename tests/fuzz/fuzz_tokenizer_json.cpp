// libFuzzer target: tokenizer.json through the reader, then the cross-file checks on whatever it
// produced. Also a differential check of the reader's two parsers: the fast simdjson path and
// nlohmann's (used to locate errors) must agree on which inputs are JSON at all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medq/check/tokenizer_checks.hpp"
#include "medq/formats/tokenizer_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = medq::parse_tokenizer_json(text, "tokenizer.json");
  const auto has = [&](std::string_view code) {
    return std::any_of(r.findings.begin(), r.findings.end(),
                       [&](const medq::Finding& f) { return f.code == code; });
  };
  // nlohmann stops at a NUL byte as if the input ended (the reader reports NUL itself), and the
  // reader stops at serde_json's nesting limit before seeing the rest.
  if (text.find('\0') == std::string_view::npos && !has("tokenizer.json_too_deep")) {
    const bool is_json = nlohmann::json::accept(text);
    if (is_json == has("tokenizer.invalid_json")) std::abort();
  }
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
