// libFuzzer target: the token-id file of `medq quality --tokens` (and a policy's quality.tokens),
// from memory. Any bytes give either ids that print back to decimal numbers below 2^32, or a
// message; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medq/quality/token_ids.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string err;
  auto ids = medq::parse_token_ids(text, "tokens.txt", &err);
  if (!ids && err.empty()) std::abort();
  if (ids && ids->empty()) std::abort();
  return 0;
}
