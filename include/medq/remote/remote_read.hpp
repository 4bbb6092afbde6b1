// What a command read from a remote repository, for its report: the revision asked for and the
// commit it resolved to, the requests made, the bytes fetched (and those found in medq's fetch
// cache instead), and the size of the whole repository, which nothing had to download. Plain
// data; every renderer shows it (docs/remote.md, docs/json.md).
#pragma once

#include <cstdint>
#include <string>

namespace medq {

struct RemoteRead {
  std::string source;             ///< as typed: "hf://ORG/NAME@REV[/PATH]"
  std::string endpoint;           ///< "https://huggingface.co"
  std::string repo;               ///< "ORG/NAME"
  std::string revision;           ///< as asked ("main" when none was given)
  std::string commit;             ///< the commit the revision resolved to
  uint64_t requests = 0;          ///< HTTP requests sent (redirect hops and retries included)
  uint64_t redirects = 0;         ///< of which answered by a redirect
  uint64_t retries = 0;           ///< sent again after 429, 5xx or a dropped connection
  uint64_t bytes_fetched = 0;     ///< body bytes received over the network
  uint64_t bytes_from_cache = 0;  ///< bytes read from the fetch cache instead
  uint64_t repo_files = 0;        ///< files in the revision
  uint64_t repo_bytes = 0;        ///< their total size
};

}  // namespace medq
