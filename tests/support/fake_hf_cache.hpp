// A Hugging Face cache laid out in a test as huggingface_hub lays one out (file_download.py:
// blobs/<hash> holds a file's bytes, snapshots/<commit>/<file> is a relative link to
// ../../blobs/<hash> — one more ../ per subfolder —, refs/<branch> holds the commit with no
// newline), so that the cache rules are tested without huggingface_hub or a network.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "medq/io/hf_snapshot.hpp"
#include "medq/io/sha256.hpp"

namespace medq::testing {

class FakeHfCache {
 public:
  explicit FakeHfCache(std::filesystem::path hub) : hub_(std::move(hub)) {
    std::filesystem::create_directories(hub_);
  }

  const std::filesystem::path& hub() const { return hub_; }
  std::filesystem::path repo(const std::string& id) const { return hub_ / hf_repo_folder_name(id); }

  /// Lays out every regular file below `src` as snapshot `commit` of `id`, and points each of
  /// `refs` at it. Returns the snapshot folder.
  std::filesystem::path add_snapshot(const std::string& id, const std::filesystem::path& src,
                                     const std::string& commit,
                                     const std::vector<std::string>& refs = {"main"}) const {
    namespace fs = std::filesystem;
    const fs::path r = repo(id);
    const fs::path snap = r / "snapshots" / commit;
    fs::create_directories(r / "blobs");
    fs::create_directories(snap);
    for (const auto& e : fs::recursive_directory_iterator(src)) {
      if (!e.is_regular_file()) continue;
      const fs::path rel = fs::relative(e.path(), src);
      std::ifstream in(e.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      const std::string hash = sha256_bytes(bytes);
      if (!fs::exists(r / "blobs" / hash)) {
        std::ofstream(r / "blobs" / hash, std::ios::binary) << bytes;
      }
      fs::create_directories((snap / rel).parent_path());
      std::string up = "../../";
      for (size_t depth = std::distance(rel.begin(), rel.end()); depth > 1; --depth) up += "../";
      fs::create_symlink(up + "blobs/" + hash, snap / rel);
    }
    for (const std::string& ref : refs) set_ref(id, ref, commit);
    return snap;
  }

  void set_ref(const std::string& id, const std::string& ref, const std::string& commit) const {
    const std::filesystem::path p = repo(id) / "refs" / ref;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << commit;
  }

  /// A file of `bytes` bytes in the repository's blobs/ named `name`.
  void add_blob(const std::string& id, const std::string& name, size_t bytes) const {
    std::filesystem::create_directories(repo(id) / "blobs");
    std::ofstream(repo(id) / "blobs" / name, std::ios::binary) << std::string(bytes, 'x');
  }

 private:
  std::filesystem::path hub_;
};

}  // namespace medq::testing
