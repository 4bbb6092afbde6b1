#include "medq/hub/resolve.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <system_error>
#include <vector>

#include "medq/diag/quote.hpp"
#include "medq/hub/repo_id.hpp"
#include "medq/io/hf_snapshot.hpp"
#include "medq/io/local_storage.hpp"

namespace medq {

namespace fs = std::filesystem;

namespace {

// A ref file holds a 40-character commit hash; anything much longer is not one.
constexpr uint64_t kMaxRefBytes = 1024;
// Names listed in a message, at most.
constexpr size_t kListed = 8;

bool is_dir(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The names of `dir`'s entries (regular files, or folders), sorted; at most kListed shown.
std::string listing(const fs::path& dir, bool folders, bool recursive) {
  std::vector<std::string> names;
  std::error_code ec;
  auto add = [&](const fs::directory_entry& e) {
    std::error_code sec;
    const bool d = e.is_directory(sec);
    if (d == folders && !sec) names.push_back(fs::relative(e.path(), dir, sec).string());
  };
  if (recursive) {
    fs::recursive_directory_iterator it(dir, ec), end;
    for (size_t n = 0; !ec && it != end && n < 1000; it.increment(ec), ++n) add(*it);
  } else {
    fs::directory_iterator it(dir, ec), end;
    for (size_t n = 0; !ec && it != end && n < 1000; it.increment(ec), ++n) add(*it);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) return "none";
  std::string out;
  for (size_t i = 0; i < names.size() && i < kListed; ++i) {
    out += (i ? ", " : "") + display_text(names[i], 80);
  }
  if (names.size() > kListed) out += " and " + std::to_string(names.size() - kListed) + " more";
  return out;
}

std::string trim(std::string s) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && space(s[i])) ++i;
  return s.substr(i);
}

bool is_commit_name(const std::string& s) {
  return is_safe_revision(s) && s.find('/') == std::string::npos;
}

HubModel resolve_revision(const fs::path& repo_dir, const std::string& repo_id,
                          const std::string& revision) {
  if (!is_safe_revision(revision)) {
    throw HubError("revision " + quote_text(revision) +
                   " is not a branch name or a commit hash (parts separated by '/', none empty, "
                   "'.' or '..', printable ASCII)");
  }
  HubModel m;
  m.repo_id = repo_id;
  m.revision = revision;
  m.repo_dir = repo_dir;
  const fs::path ref = repo_dir / "refs" / revision;
  const fs::path as_commit = repo_dir / "snapshots" / revision;
  if (is_file(ref)) {
    SmallFile f = read_small_file(ref, kMaxRefBytes);
    if (f.too_large) {
      throw HubError("'" + ref.string() + "' (" + std::to_string(*f.too_large) +
                     " bytes) does not hold a commit hash");
    }
    if (!f.text) throw HubError("cannot read '" + ref.string() + "': " + f.error);
    m.commit = trim(*f.text);
    if (!is_commit_name(m.commit)) {
      throw HubError("'" + ref.string() + "' does not hold a commit hash (it holds " +
                     quote_text(*f.text) + ")");
    }
    m.snapshot_dir = repo_dir / "snapshots" / m.commit;
    if (!is_dir(m.snapshot_dir)) {
      throw HubError(
          repo_id + ": refs/" + revision + " names commit " + m.commit +
          ", but the cache holds no snapshot of it ('" + m.snapshot_dir.string() +
          "' does not exist; snapshots: " + listing(repo_dir / "snapshots", true, false) + ")");
    }
    return m;
  }
  if (is_commit_name(revision) && is_dir(as_commit)) {
    m.commit = revision;
    m.snapshot_dir = as_commit;
    return m;
  }
  throw HubError(repo_id + ": the cache holds no revision " + quote_text(revision) + ": neither '" +
                 ref.string() + "' nor '" + as_commit.string() +
                 "' exists (refs: " + listing(repo_dir / "refs", false, true) +
                 "; snapshots: " + listing(repo_dir / "snapshots", true, false) + ")");
}

}  // namespace

ModelLocation resolve_model_location(const std::string& arg,
                                     const std::optional<std::string>& revision,
                                     const EnvLookup& env) {
  ModelLocation loc;
  loc.given = arg;
  loc.dir = arg;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(arg, ec))) {
    // A cache repository folder: its snapshot at the revision, instead of a folder of three
    // subfolders that is no model.
    fs::path canon = fs::canonical(arg, ec);
    std::optional<std::string> id;
    if (!ec && is_dir(canon) && is_dir(canon / "snapshots")) {
      id = hf_repo_id_of_folder(canon.filename().string());
    }
    if (id) {
      loc.hub = resolve_revision(fs::path(arg), *id, revision.value_or("main"));
      loc.dir = loc.hub->snapshot_dir;
      return loc;
    }
    if (revision) {
      throw HubError("--revision " + *revision +
                     " names a revision of a repository id (ORG/NAME) or of a cache repository "
                     "folder (models--ORG--NAME); '" +
                     arg + "' is neither");
    }
    return loc;
  }
  std::optional<RepoRef> ref = parse_repo_ref(arg);
  if (!ref) return loc;  // the caller reports the missing path
  if (ref->revision && revision && *ref->revision != *revision) {
    throw HubError("'" + arg + "' names revision " + *ref->revision + " and --revision names " +
                   *revision + "; give one");
  }
  const HubCacheDir cache = hub_cache_dir(env);
  if (cache.path.empty()) {
    throw HubError("cannot read '" + arg +
                   "': No such file or directory; and the Hugging Face cache, where a "
                   "repository id is looked up, cannot be located: " +
                   cache.source + " needs $HOME, which is not set (set HF_HUB_CACHE)");
  }
  const fs::path repo_dir = cache.path / hf_repo_folder_name(ref->repo_id);
  if (!is_dir(repo_dir)) {
    // Said as for any missing path first: "inputs/x" may be a mistyped folder as well as an id.
    throw HubError("cannot read '" + arg + "': No such file or directory; nor is " + ref->repo_id +
                   " in the Hugging Face cache: '" + repo_dir.string() +
                   "' does not exist (the cache is '" + cache.path.string() + "', from " +
                   cache.source + ")");
  }
  loc.hub =
      resolve_revision(repo_dir, ref->repo_id, ref->revision.value_or(revision.value_or("main")));
  loc.dir = loc.hub->snapshot_dir;
  return loc;
}

}  // namespace medq
