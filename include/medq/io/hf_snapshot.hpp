// A folder of the Hugging Face cache. huggingface_hub keeps what it downloads of repository
// ORG/NAME in <cache>/models--ORG--NAME/: blobs/ holds each file's bytes once, named by its
// hash; snapshots/<commit>/ holds the repository's files at that commit, each a relative link
// into ../../blobs/; refs/<branch> holds the commit a branch pointed at (docs/cache.md). The links
// into the repository's own blobs/ are the cache's structure, not links out of the model folder:
// HfSnapshotStorage follows them as LocalStorage follows links inside a folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/io/local_storage.hpp"
#include "medq/io/storage.hpp"

namespace medq {

struct HfSnapshot {
  std::filesystem::path snapshot_dir;  ///< the folder as given
  std::filesystem::path repo_dir;      ///< its canonical models--ORG--NAME folder
  std::string repo_id;                 ///< "ORG/NAME"
  std::string commit;                  ///< the snapshot folder's name
  /// Canonical folders the snapshot's links may reach as its own files: the repository's
  /// blobs/, and the cache-wide shared blob store (<cache>/blobs/ holding the marker file
  /// .huggingface-shared-blobs) that newer huggingface_hub versions link blobs/ entries into.
  std::vector<std::filesystem::path> store_roots;
};

/// The folder name huggingface_hub gives a model repository: "models--" + the id with each '/'
/// written "--" (file_download.py, repo_folder_name).
std::string hf_repo_folder_name(std::string_view repo_id);

/// The repository id of a model repository's folder name ("models--ORG--NAME" -> "ORG/NAME",
/// as huggingface_hub's cache scan reads it), or nullopt when `folder` is not one.
std::optional<std::string> hf_repo_id_of_folder(std::string_view folder);

/// `dir` as a cache snapshot: its canonical path is <repo>/snapshots/<commit> where <repo> is a
/// model repository folder (models--...) holding a blobs/ folder. nullopt otherwise (and when
/// `dir` cannot be resolved). Only stat and realpath: nothing is opened.
std::optional<HfSnapshot> find_hf_snapshot(const std::filesystem::path& dir);

/// A cache snapshot behind the storage seam: a local folder whose links into the repository's
/// blobs (HfSnapshot::store_roots) are followed without --follow-symlinks; links anywhere else
/// keep LocalStorage's rule. Read-only, like every storage: nothing is written into the cache.
class HfSnapshotStorage final : public Storage {
 public:
  explicit HfSnapshotStorage(HfSnapshot snapshot)
      : snapshot_(std::move(snapshot)), local_(snapshot_.snapshot_dir, snapshot_.store_roots) {}

  StorageListing list(const ListOptions& opts) const override { return local_.list(opts); }
  std::unique_ptr<ByteSource> open(std::string_view name, std::string* err) const override {
    return local_.open(name, err);
  }
  std::string locate(std::string_view name) const override { return local_.locate(name); }

  const HfSnapshot& snapshot() const { return snapshot_; }

 private:
  HfSnapshot snapshot_;
  LocalStorage local_;
};

}  // namespace medq
