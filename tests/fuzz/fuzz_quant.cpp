// libFuzzer target: the quantization checks on a parsed header, from memory. The input is a
// config.json text, one NUL byte, then the bytes of a safetensors file (header and data): both
// are parsed as `medq validate` parses them, then the config-vs-tensors and quantization checks
// and the logical tensor grouping (schemes resolved per module, inferred from the shapes when
// the config does not fit) run on the result. Without a NUL the config is "{}".
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "medq/check/config_quant.hpp"
#include "medq/check/validate.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/formats/safetensors.hpp"
#include "medq/model/logical_tensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  std::string_view config_text = "{}";
  std::span<const uint8_t> weights(data, size);
  if (nul) {
    config_text = std::string_view(reinterpret_cast<const char*>(data), nul - data);
    weights = std::span<const uint8_t>(nul + 1, data + size);
  }
  auto config = medq::parse_json_text(config_text, "config.json", "config");
  if (!config.value) return 0;

  medq::Validation v;
  medq::WeightFile wf;
  wf.name = "model.safetensors";
  wf.header = medq::parse_safetensors(weights, weights.size(), wf.name);
  if (!wf.header.readable_header()) return 0;
  v.checkpoint.files.push_back(std::move(wf));
  const auto tensors = v.checkpoint.tensors();
  auto cq = medq::check_config_and_quantization(*config.value, tensors);
  v.arch = std::move(cq.arch);
  v.quant = std::move(cq.quant);
  v.config_json = std::move(*config.value);
  auto logical = medq::logical_tensors(v.checkpoint, v.quant, v.arch);
  // Every logical tensor points into the one file, and its stored tensor is in the header.
  for (const auto& t : logical.tensors) {
    if (t.data.file != &v.checkpoint.files[0] || t.data.info == nullptr) __builtin_trap();
  }
  return 0;
}
