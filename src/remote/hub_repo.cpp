#include "medq/remote/hub_repo.hpp"

#include <algorithm>
#include <set>

#include "medq/diag/quote.hpp"
#include "medq/io/checked.hpp"
#include "medq/remote/http_headers.hpp"

namespace medq {
namespace {

std::string api_base(const HubSettings& s, const HfRef& ref) {
  return s.endpoint + "/api/models/" + ref.repo;
}

std::string login_hint(const HubSettings& s) {
  switch (s.token_source) {
    case TokenSource::kNone:
      return "no token was found: log in (`hf auth login`), set HF_TOKEN or pass --token";
    case TokenSource::kFlag:
      return "the token given with --token was refused or has no access";
    case TokenSource::kEnvironment:
      return "the token in HF_TOKEN was refused or has no access";
    case TokenSource::kFile:
      return "the token in " + s.token_file.string() + " was refused or has no access";
  }
  return "";
}

}  // namespace

std::string hub_failure_message(const std::string& what, const HttpResponse& r,
                                const HubSettings& settings, const HfRef& ref) {
  const std::string* code = r.header("x-error-code");
  const std::string page = settings.endpoint + "/" + ref.repo;
  std::string msg = what + ": ";
  if (r.status == 0 && (r.error.find("SSL") != std::string::npos ||
                        r.error.find("certificate") != std::string::npos)) {
    return msg + "the TLS connection to " + settings.endpoint + " failed (" + r.error +
           "); medq verifies certificates: a mirror needs one the system trusts";
  }
  if (r.status == 0) {
    return msg + "cannot reach " + settings.endpoint + " (" + r.error +
           "); check the network, a proxy (https_proxy) or HF_ENDPOINT";
  }
  if (r.status == 401) {
    return msg + "401 Unauthorized: the repository does not exist, or it is private or gated; " +
           login_hint(settings);
  }
  if (r.status == 403) {
    std::string m = msg + "403 Forbidden: ";
    if (code && *code == "GatedRepo") m += "a gated repository; ";
    return m + "accept the model's licence at " + page +
           " with the account of the token, or use a token with read access (" +
           login_hint(settings) + ")";
  }
  if (r.status == 404) {
    if (code && *code == "RevisionNotFound") {
      return msg + "404 Not Found: no revision " + quote_text(ref.revision) +
             "; check the branch, tag or commit after '@'";
    }
    if (code && *code == "EntryNotFound") return msg + "404 Not Found: no such file";
    return msg + "404 Not Found: no repository " + ref.repo + " (or no revision " +
           quote_text(ref.revision) + ") at " + settings.endpoint + "; check the name";
  }
  return msg + r.error + (r.retries ? " (after " + std::to_string(r.retries) + " retries)" : "");
}

std::string resolve_url(const HubRepo& repo, const std::string& path) {
  return repo.endpoint + "/" + repo.ref.repo + "/resolve/" + repo.commit + "/" +
         percent_encode(path, /*keep_slash=*/true);
}

HubRepo resolve_repo(const HfRef& ref, const HubSettings& settings, const HttpClient& client,
                     const ListingLimits& limits) {
  HubRepo repo;
  repo.ref = ref;
  repo.endpoint = settings.endpoint;
  const std::string source = ref.display();

  // 1. The revision's commit.
  HttpRequest rev;
  rev.url = api_base(settings, ref) + "/revision/" + percent_encode(ref.revision, false);
  rev.max_body = 8 << 20;
  HttpResponse r = client.fetch(rev);
  if (!r.ok())
    throw RemoteError(hub_failure_message("the revision lookup of " + source, r, settings, ref));
  std::string err;
  auto commit = parse_revision_commit(r.body, &err);
  if (!commit) throw RemoteError("the revision lookup of " + source + ": " + err);
  if (is_commit_id(ref.revision) && *commit != ref.revision) {
    throw RemoteError("the revision lookup of " + source + " answered the commit " + *commit +
                      ", not the commit asked for");
  }
  repo.commit = *commit;

  // 2. The commit's tree: from the cache, else every page of the listing.
  const FetchCache cache(settings.cache_dir, settings.endpoint, ref.repo, repo.commit);
  std::vector<HubTreeEntry> entries;
  bool from_cache = false;
  if (auto kept = cache.get_tree()) {
    if (auto parsed = parse_tree_page(*kept, &err)) {
      entries = std::move(*parsed);
      repo.listing_from_cache = kept->size();
      from_cache = true;
    }
  }
  if (!from_cache) {
    const auto origin = url_origin(settings.endpoint);
    std::string url = api_base(settings, ref) + "/tree/" + repo.commit + "?recursive=true";
    std::set<std::string> seen{url};
    for (unsigned page = 0;; ++page) {
      if (page == limits.max_pages) {
        throw RemoteError("the listing of " + source + " has more than " +
                          std::to_string(limits.max_pages) + " pages");
      }
      HttpRequest req;
      req.url = url;
      req.max_body = limits.max_page_bytes;
      HttpResponse p = client.fetch(req);
      if (!p.ok())
        throw RemoteError(hub_failure_message("the listing of " + source, p, settings, ref));
      auto items = parse_tree_page(p.body, &err);
      if (!items) {
        throw RemoteError("the listing of " + source + " (page " + std::to_string(page + 1) +
                          "): " + err);
      }
      entries.insert(entries.end(), std::make_move_iterator(items->begin()),
                     std::make_move_iterator(items->end()));
      if (entries.size() > limits.max_entries) {
        throw RemoteError("the listing of " + source + " has more than " +
                          std::to_string(limits.max_entries) + " entries");
      }
      const std::string* link = p.header("link");
      auto next = link ? parse_link_next(*link) : std::nullopt;
      if (!next) break;
      // The next page must be on the endpoint's origin (it gets the token) and new.
      if (url_origin(*next) != origin) {
        throw RemoteError("the listing of " + source + " points its next page to another origin (" +
                          quote_text(*next, 80) + ")");
      }
      if (!seen.insert(*next).second) {
        throw RemoteError("the listing of " + source + " loops back to a page already read");
      }
      url = *next;
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const HubTreeEntry& a, const HubTreeEntry& b) { return a.path < b.path; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].path == entries[i - 1].path) {
      throw RemoteError("the listing of " + source + " names " + quote_text(entries[i].path) +
                        " twice");
    }
  }
  for (const auto& e : entries) {
    if (e.type != HubTreeEntry::Type::kFile) continue;
    ++repo.file_count;
    auto total = checked_add(repo.total_bytes, e.size);
    if (!total) throw RemoteError("the listing of " + source + " sums to more than 2^64 bytes");
    repo.total_bytes = *total;
  }
  if (!from_cache) cache.put_tree(tree_to_json(entries));
  repo.entries = std::move(entries);
  return repo;
}

}  // namespace medq
