// From what the user typed to the folder medq reads: a local path as it is; a cache repository
// folder (models--ORG--NAME) or a repository id ORG/NAME that is no local path, resolved in the
// Hugging Face cache to one snapshot. huggingface_hub's rules (file_download.py,
// try_to_load_from_cache): the revision defaults to "main"; refs/<revision>, when that file
// exists, holds the commit it points at; otherwise the revision is taken as a commit; the files
// are snapshots/<commit>/. Nothing is written into the cache (docs/cache.md).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "medq/hub/cache_dir.hpp"

namespace medq {

/// A model found in the cache.
struct HubModel {
  std::string repo_id;                 ///< "ORG/NAME"
  std::string revision;                ///< as asked for ("main" unless given)
  std::string commit;                  ///< the snapshot it names
  std::filesystem::path repo_dir;      ///< .../models--ORG--NAME
  std::filesystem::path snapshot_dir;  ///< repo_dir/snapshots/<commit>
};

struct ModelLocation {
  std::string given;            ///< the argument as typed
  std::filesystem::path dir;    ///< the folder to read (`given` itself when it is a local path)
  std::optional<HubModel> hub;  ///< set when resolved in the cache
};

/// A repository id or revision that the cache does not hold, or a cache folder that cannot be
/// read: the message names the paths tried (a tool failure, exit code 2).
class HubError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Resolves `arg`:
/// - an existing local path that is a cache repository folder (models--ORG--NAME holding
///   snapshots/): its `revision` (default "main");
/// - any other existing local path: itself (with `revision` set: a HubError, as it names no
///   repository);
/// - no local path, and of the form ORG/NAME or ORG/NAME@REV: the repository in the cache that
///   hub_cache_dir(env) names, at `revision` (or REV; giving both is a HubError);
/// - anything else: itself, for the caller to report as missing.
/// Throws HubError when a repository or revision is not in the cache.
ModelLocation resolve_model_location(const std::string& arg,
                                     const std::optional<std::string>& revision,
                                     const EnvLookup& env);

}  // namespace medq
