// libFuzzer target: small JSON files (config.json, tokenizer_config.json) and the shard index
// interpretation, from memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "medq/formats/json_file.hpp"
#include "medq/formats/shard_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = medq::parse_json_text(text, "fuzz.json", "config");
  if (r.value) (void)medq::parse_shard_index(*r.value, "fuzz.json");
  return 0;
}
