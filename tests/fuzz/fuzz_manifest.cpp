// libFuzzer target: the strict manifest reader, from memory. Whatever it accepts must survive a
// round trip through the writer unchanged (the writer's output is the canonical form).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "medq/integrity/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  medq::ManifestParse p = medq::manifest_from_json(text);
  if (!p.manifest) return 0;
  const std::string canonical = medq::manifest_to_json(*p.manifest);
  medq::ManifestParse again = medq::manifest_from_json(canonical);
  if (!again.manifest || medq::manifest_to_json(*again.manifest) != canonical) std::abort();
  return 0;
}
