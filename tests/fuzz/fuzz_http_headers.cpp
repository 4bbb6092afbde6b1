// libFuzzer target: the response headers medq reads from an untrusted server (Content-Range,
// Link, Retry-After) and the hf:// address a user types. What is accepted keeps its invariants:
// a range is ordered and inside its complete length, a next link has no space or control byte,
// a parsed address has a valid repository and a safe path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medq/remote/hf_url.hpp"
#include "medq/remote/http_headers.hpp"
#include "medq/remote/hub_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view v(reinterpret_cast<const char*>(data), size);
  if (auto r = medq::parse_content_range(v)) {
    if (r->last < r->first) std::abort();
    if (r->complete && r->last >= *r->complete) std::abort();
  }
  if (auto next = medq::parse_link_next(v)) {
    if (next->empty()) std::abort();
    for (char c : *next) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) std::abort();
    }
  }
  (void)medq::parse_retry_after_seconds(v);
  std::string err;
  std::string url = "hf://" + std::string(v);
  if (auto ref = medq::parse_hf_url(url, &err)) {
    if (ref->repo.find('/') == std::string::npos) std::abort();
    if (!ref->path.empty() && !medq::safe_repo_path(ref->path)) std::abort();
    std::string again_err;
    auto again = medq::parse_hf_url(ref->display(), &again_err);
    if (!again || again->repo != ref->repo || again->path != ref->path) std::abort();
  }
  return 0;
}
