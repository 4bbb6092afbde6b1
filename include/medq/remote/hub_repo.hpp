// The Hub protocol up to the bytes: a revision resolved to its commit
// (`GET {endpoint}/api/models/{repo}/revision/{rev}`, huggingface_hub's model_info) and the
// commit's tree listed (`GET {endpoint}/api/models/{repo}/tree/{commit}?recursive=true`,
// list_repo_tree, following the Link header's rel="next" pages as huggingface_hub's paginate
// and huggingface.js's listFiles do). A file's bytes are at
// `{endpoint}/{repo}/resolve/{commit}/{path}` (hf_hub_url), which the Hub answers with a
// redirect to another host. Failures are RemoteError: a message that says what to do.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "medq/remote/fetch_cache.hpp"
#include "medq/remote/hf_url.hpp"
#include "medq/remote/http_client.hpp"
#include "medq/remote/hub_json.hpp"
#include "medq/remote/hub_settings.hpp"

namespace medq {

/// A remote repository could not be reached or read: the tool's failure (exit 2), not the
/// model's.
class RemoteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bounds on a listing.
struct ListingLimits {
  uint64_t max_entries = 200'000;
  unsigned max_pages = 1'000;
  uint64_t max_page_bytes = uint64_t{32} << 20;
};

struct HubRepo {
  HfRef ref;
  std::string endpoint;
  std::string commit;                 ///< what ref.revision resolved to
  std::vector<HubTreeEntry> entries;  ///< every file and folder of the commit, sorted by path
  uint64_t total_bytes = 0;           ///< of every file
  uint64_t file_count = 0;
  uint64_t listing_from_cache = 0;  ///< bytes of the listing read from the fetch cache
};

/// Resolves `ref` and lists its commit (the listing comes from `cache` when kept there).
/// Throws RemoteError.
HubRepo resolve_repo(const HfRef& ref, const HubSettings& settings, const HttpClient& client,
                     const ListingLimits& limits = {});

/// The URL of a file's bytes at the resolved commit.
std::string resolve_url(const HubRepo& repo, const std::string& path);

/// A failed answer as a message for `what` ("the revision lookup of hf://a/b", "config.json"):
/// what the status means and what to do (log in, accept the licence, check the name).
std::string hub_failure_message(const std::string& what, const HttpResponse& r,
                                const HubSettings& settings, const HfRef& ref);

}  // namespace medq
