#include "medq/report/remote_read_view.hpp"

#include <fmt/format.h>

#include "medq/util/units.hpp"

namespace medq {

std::string remote_read_line(const RemoteRead& r) {
  return fmt::format(
      "remote: {} at commit {}: {} ({} redirects, {} retries), {} fetched, {} from the cache; the "
      "repository holds {} in {}",
      r.source, r.commit, count_noun(r.requests, "request"), r.redirects, r.retries,
      human_bytes(r.bytes_fetched), human_bytes(r.bytes_from_cache), human_bytes(r.repo_bytes),
      count_noun(r.repo_files, "file"));
}

nlohmann::ordered_json remote_read_json(const RemoteRead& r) {
  nlohmann::ordered_json j;
  j["source"] = r.source;
  j["endpoint"] = r.endpoint;
  j["repo"] = r.repo;
  j["revision"] = r.revision;
  j["commit"] = r.commit;
  j["requests"] = r.requests;
  j["redirects"] = r.redirects;
  j["retries"] = r.retries;
  j["bytes_fetched"] = r.bytes_fetched;
  j["bytes_from_cache"] = r.bytes_from_cache;
  j["repo_files"] = r.repo_files;
  j["repo_bytes"] = r.repo_bytes;
  return j;
}

}  // namespace medq
