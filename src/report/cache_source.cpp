#include "medq/report/cache_source.hpp"

#include <fmt/format.h>

#include "medq/diag/quote.hpp"

namespace medq {

std::optional<CacheSource> cache_source(const ModelDir& dir, const CacheRepoScan* repo) {
  if (!dir.snapshot) return std::nullopt;
  CacheSource s;
  s.repo_id = dir.snapshot->repo_id;
  s.commit = dir.snapshot->commit;
  if (repo) s.refs = repo->read.refs;
  return s;
}

std::string cache_source_line(const CacheSource& s) {
  std::string refs;
  for (const auto& r : s.refs) refs += (refs.empty() ? "" : ", ") + display_text(r, 80);
  return fmt::format("Hugging Face cache: {}, commit {} ({})", display_text(s.repo_id, 120),
                     display_text(s.commit, 80), refs.empty() ? "no ref names it" : "refs " + refs);
}

}  // namespace medq
