// libFuzzer target: the Hub's JSON answers as `medq validate hf://...` reads them (a tree page,
// a revision's info), from untrusted bytes. Every entry accepted has a safe path, and a listing
// written back (the fetch cache's form) reads back to the same entries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medq/remote/hf_url.hpp"
#include "medq/remote/hub_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string err;
  if (auto sha = medq::parse_revision_commit(body, &err)) {
    if (!medq::is_commit_id(*sha)) std::abort();
  }
  auto page = medq::parse_tree_page(body, &err);
  if (!page) return 0;
  for (const auto& e : *page) {
    if (!medq::safe_repo_path(e.path)) std::abort();
    if (e.size >= (uint64_t{1} << 62)) std::abort();
  }
  auto again = medq::parse_tree_page(medq::tree_to_json(*page), &err);
  if (!again || again->size() != page->size()) std::abort();
  for (size_t i = 0; i < page->size(); ++i) {
    if ((*again)[i].path != (*page)[i].path || (*again)[i].size != (*page)[i].size ||
        (*again)[i].type != (*page)[i].type) {
      std::abort();
    }
  }
  return 0;
}
