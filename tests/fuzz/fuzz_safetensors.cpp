// libFuzzer target: the safetensors header reader on arbitrary bytes, from memory.
#include <cstddef>
#include <cstdint>

#include "medq/formats/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = medq::parse_safetensors(std::span<const uint8_t>(data, size), size, "fuzz");
  // An accepted header must describe exactly the bytes it was given: tensors tile the data
  // region and the file ends at the last one.
  if (r.header) {
    uint64_t last = 0;
    for (const auto& t : r.header->tensors) {
      if (t.begin > t.end) __builtin_trap();
      if (t.end > last) last = t.end;
    }
    if (r.header->data_start() + last != size) __builtin_trap();
  }
  return 0;
}
