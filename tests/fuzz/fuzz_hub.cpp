// libFuzzer target: what the command line and a cache folder give the hub stage as text — a
// repository id with an optional @revision, a revision, a repository folder's name — parsed
// without a file system. Invariants: an id medq accepts names the folder huggingface_hub makes
// for it and back; a revision medq accepts never climbs out of refs/ or snapshots/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medq/hub/repo_id.hpp"
#include "medq/io/hf_snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ref = medq::parse_repo_ref(text)) {
    if (!medq::is_repo_id(ref->repo_id)) std::abort();
    if (medq::hf_repo_id_of_folder(medq::hf_repo_folder_name(ref->repo_id)) != ref->repo_id) {
      std::abort();
    }
  }
  if (medq::is_safe_revision(text)) {
    // Every part is a plain name: no root, no "." or "..", no backslash or NUL.
    size_t start = 0;
    while (true) {
      const size_t end = text.find('/', start);
      const std::string_view part = text.substr(start, end == text.npos ? text.npos : end - start);
      if (part.empty() || part == "." || part == ".." || part.find('\\') != part.npos ||
          part.find('\0') != part.npos) {
        std::abort();
      }
      if (end == text.npos) break;
      start = end + 1;
    }
  }
  if (auto id = medq::hf_repo_id_of_folder(text)) {
    if (id->empty() || id->front() == '/' || id->back() == '/') std::abort();
  }
  return 0;
}
