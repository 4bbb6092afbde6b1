// Where a model read from the Hugging Face cache came from, as every report names it: the
// repository, the commit of the snapshot read, and the refs (branches) that name that commit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "medq/hub/cache_repo.hpp"
#include "medq/model/model_dir.hpp"

namespace medq {

struct CacheSource {
  std::string repo_id;
  std::string commit;
  std::vector<std::string> refs;
};

/// The source of a scanned folder when it is a cache snapshot (ModelDir::snapshot); `repo`, when
/// given, supplies the refs.
std::optional<CacheSource> cache_source(const ModelDir& dir, const CacheRepoScan* repo);

/// "Hugging Face cache: ORG/NAME, commit C (refs main)", the line text reports print.
std::string cache_source_line(const CacheSource& s);

}  // namespace medq
