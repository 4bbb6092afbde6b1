// A Hugging Face repository behind the storage seam: one folder of one commit (the repository's
// root, or a folder inside it) listed from the Hub's tree, its files read by HTTP range
// requests. The readers of formats/ and model/ use it as they use a local folder. Before they
// run, prefetch_for_validation() fetches in two parallel rounds what `medq validate` reads: the
// small files whole and each safetensors header (a speculative first range large enough for a
// typical header, a second one only for the rest of a larger header). Everything fetched is
// kept in memory (and in the fetch cache); any other read is one more range request, within a
// byte budget, so that nothing downloads gigabytes of tensor data.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "medq/io/storage.hpp"
#include "medq/remote/fetch_cache.hpp"
#include "medq/remote/hub_repo.hpp"
#include "medq/remote/remote_read.hpp"

namespace medq {

/// The first range read of a safetensors file: the whole header of most files (a 4-bit
/// medgemma-4b-it shard's is 90 KiB), so one request serves it.
inline constexpr uint64_t kSpeculativeHeaderBytes = 256 << 10;
/// Files fetched whole by prefetch_for_validation() are at most this big.
inline constexpr uint64_t kMaxPrefetchFileBytes = uint64_t{128} << 20;
/// Bytes one storage fetches beyond its prefetch, at most (reads past it fail).
inline constexpr uint64_t kMaxOnDemandBytes = uint64_t{1} << 30;

class RemoteStorage final : public Storage, public std::enable_shared_from_this<RemoteStorage> {
 public:
  /// The folder `repo.ref.path` of the repository (its root when empty), or, when that path is a
  /// file, the folder holding it. Throws RemoteError when the path is neither.
  RemoteStorage(HubRepo repo, HubSettings settings, std::shared_ptr<const HttpClient> client);

  StorageListing list(const ListOptions& opts) const override;
  std::unique_ptr<ByteSource> open(std::string_view name, std::string* err) const override;
  std::string locate(std::string_view name) const override;

  /// Fetches what validation reads (see above). Throws RemoteError when a fetch fails: the
  /// message names the file and what the server did.
  void prefetch_for_validation();

  /// When ref.path names a file: its name in this storage (else empty).
  const std::string& file_name() const { return file_name_; }
  const HubRepo& repo() const { return repo_; }

  /// Reads that failed after the prefetch (file, message), in the order met: a validation that
  /// met one did not read the whole model, and says so instead of reporting it.
  std::vector<std::pair<std::string, std::string>> failures() const;

  /// The report's account of what was read.
  RemoteRead summary() const;

  struct File;

 private:
  struct Want {
    File* file;
    uint64_t offset;
    uint64_t length;
  };
  std::string path_of(std::string_view name) const;
  /// Fetches every range not held yet (from the fetch cache, else in parallel); throws
  /// RemoteError on the first failure.
  void fetch_round(const std::vector<Want>& wants);
  void note_failure(const std::string& name, const std::string& message) const;

  HubRepo repo_;
  HubSettings settings_;
  std::shared_ptr<const HttpClient> client_;
  FetchCache cache_;
  std::string prefix_;     ///< "" or "folder/" inside the repository
  std::string file_name_;  ///< when ref.path is a file
  std::map<std::string, std::shared_ptr<File>, std::less<>> files_;  ///< top-level, by name
  mutable std::atomic<uint64_t> from_cache_{0};
  mutable std::atomic<uint64_t> on_demand_{0};
  mutable std::mutex failures_mu_;
  mutable std::vector<std::pair<std::string, std::string>> failures_;

  friend class RemoteSource;
};

/// Resolves and lists `ref` and opens it as a storage (with a client for `settings`). Throws
/// RemoteError.
std::shared_ptr<RemoteStorage> open_remote(const HfRef& ref, const HubSettings& settings);

}  // namespace medq
