// libFuzzer target: config.json and the other small JSON files as the checks read them:
// architecture resolution, the expected tensor layout, quantization settings, tokenizer and
// generation configs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "medq/formats/generation_config.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/formats/tokenizer_config.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/quantization.hpp"
#include "medq/model/tensor_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = medq::parse_json_text(text, "config.json", "config");
  if (!r.value) return 0;
  auto arch = medq::resolve_architecture(*r.value);
  auto layout = medq::expected_layout(arch.arch);
  (void)medq::match_tensor(layout, "model.layers.3.self_attn.q_proj.weight");
  auto q = medq::parse_quantization(*r.value);
  if (q.config) (void)q.config->resolve_scheme("model.layers.0.mlp.down_proj", true);
  (void)medq::tokenizer_config_from_json(*r.value, "tokenizer_config.json");
  (void)medq::generation_config_from_json(*r.value, "generation_config.json");
  return 0;
}
