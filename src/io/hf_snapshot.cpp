#include "medq/io/hf_snapshot.hpp"

#include <sys/stat.h>

#include <system_error>

namespace medq {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kModelsPrefix = "models--";
// huggingface_hub's _shared_blobs.py: the marker that makes <cache>/blobs/ its shared store.
constexpr const char* kSharedStoreMarker = ".huggingface-shared-blobs";

bool is_dir(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_no_follow(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string hf_repo_folder_name(std::string_view repo_id) {
  std::string out(kModelsPrefix);
  for (char c : repo_id) {
    if (c == '/') {
      out += "--";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> hf_repo_id_of_folder(std::string_view folder) {
  if (folder.substr(0, kModelsPrefix.size()) != kModelsPrefix) return std::nullopt;
  std::string_view rest = folder.substr(kModelsPrefix.size());
  if (rest.empty()) return std::nullopt;
  std::string id;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest.compare(i, 2, "--") == 0) {
      id += '/';
      ++i;
    } else {
      id += rest[i];
    }
  }
  // "models--a--" or "models----a": an empty part is no repository id.
  if (id.front() == '/' || id.back() == '/' || id.find("//") != std::string::npos) {
    return std::nullopt;
  }
  return id;
}

std::optional<HfSnapshot> find_hf_snapshot(const fs::path& dir) {
  std::error_code ec;
  const fs::path canon = fs::canonical(dir, ec);
  if (ec || !canon.has_parent_path()) return std::nullopt;
  const fs::path snapshots = canon.parent_path();
  if (snapshots.filename() != "snapshots" || !snapshots.has_parent_path()) return std::nullopt;
  const fs::path repo = snapshots.parent_path();
  auto id = hf_repo_id_of_folder(repo.filename().string());
  if (!id) return std::nullopt;
  const fs::path blobs = repo / "blobs";
  if (!is_dir(blobs)) return std::nullopt;
  HfSnapshot s;
  s.snapshot_dir = dir;
  s.repo_dir = repo;
  s.repo_id = std::move(*id);
  s.commit = canon.filename().string();
  // blobs/ is a real folder of the repository, or the canonical folder it leads to.
  if (fs::path b = fs::canonical(blobs, ec); !ec) s.store_roots.push_back(std::move(b));
  const fs::path shared = repo.parent_path() / "blobs";
  if (is_dir(shared) && is_regular_no_follow(shared / kSharedStoreMarker)) {
    if (fs::path b = fs::canonical(shared, ec); !ec) s.store_roots.push_back(std::move(b));
  }
  if (s.store_roots.empty()) return std::nullopt;
  return s;
}

}  // namespace medq
