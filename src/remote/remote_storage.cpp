#include "medq/remote/remote_storage.hpp"

#include <algorithm>
#include <cstring>

#include "medq/formats/safetensors.hpp"
#include "medq/io/endian.hpp"
#include "medq/model/model_dir.hpp"

namespace medq {

/// One file's bytes fetched so far: disjoint, non-adjacent ranges by offset.
struct RemoteStorage::File {
  std::string name;  ///< in the storage
  std::string path;  ///< in the repository
  uint64_t size = 0;
  mutable std::mutex mu;
  std::map<uint64_t, std::string> chunks;

  // Copies [offset, offset + n) when one range holds it (under `mu`).
  bool copy_out(uint64_t offset, void* buf, size_t n) const {
    auto it = chunks.upper_bound(offset);
    if (it == chunks.begin()) return false;
    --it;
    if (it->first + it->second.size() < offset + n) return false;
    std::memcpy(buf, it->second.data() + (offset - it->first), n);
    return true;
  }

  bool holds(uint64_t offset, uint64_t n) const {
    auto it = chunks.upper_bound(offset);
    if (it == chunks.begin()) return false;
    --it;
    return it->first + it->second.size() >= offset + n;
  }

  // Adds [offset, offset + bytes.size()), merged with the ranges it touches (under `mu`).
  void insert(uint64_t offset, std::string bytes) {
    uint64_t end = offset + bytes.size();
    auto it = chunks.upper_bound(offset);
    if (it != chunks.begin()) {
      auto prev = std::prev(it);
      const uint64_t prev_end = prev->first + prev->second.size();
      if (prev_end >= offset) {
        std::string merged = std::move(prev->second);
        if (end > prev_end) merged.append(bytes, static_cast<size_t>(prev_end - offset));
        offset = prev->first;
        bytes = std::move(merged);
        end = offset + bytes.size();
        chunks.erase(prev);
      }
    }
    it = chunks.lower_bound(offset);
    while (it != chunks.end() && it->first <= end) {
      const uint64_t it_end = it->first + it->second.size();
      if (it_end > end) {
        bytes.append(it->second, static_cast<size_t>(end - it->first));
        end = it_end;
      }
      it = chunks.erase(it);
    }
    chunks.emplace(offset, std::move(bytes));
  }
};

namespace {

// Reads below this size fetch this much (a small file's next read is then served from memory).
constexpr uint64_t kMinOnDemandRead = 64 << 10;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether validation or compare reads this file whole (the rest is read on demand, if ever).
bool read_whole(std::string_view name, uint64_t size) {
  const EntryKind k = classify_file_name(name);
  if (k == EntryKind::kWeights || k == EntryKind::kPartialDownload) return false;
  if (loader_reads(k) || k == EntryKind::kOtherJson) return true;
  if (ends_with(name, ".jinja") || name == "chat_template.txt") return true;
  return k == EntryKind::kOther && size <= 1024;  // the Git LFS pointer check reads these
}

std::string fetch_failure(const std::string& name, const HttpResponse& r,
                          const HubSettings& settings, const HfRef& ref) {
  if (r.status == 401 || r.status == 403 || r.status == 404) {
    return hub_failure_message("reading " + name + " of " + ref.display(), r, settings, ref);
  }
  // The URL without its query: a CDN's signed URL is a credential of its own.
  return "reading " + name + " of " + ref.display() + " from " + r.url.substr(0, r.url.find('?')) +
         ": " + r.error + (r.retries ? " (after " + std::to_string(r.retries) + " retries)" : "");
}

}  // namespace

class RemoteSource final : public ByteSource {
 public:
  RemoteSource(std::shared_ptr<const RemoteStorage> storage,
               std::shared_ptr<RemoteStorage::File> file)
      : storage_(std::move(storage)), file_(std::move(file)) {}

  uint64_t size() const override { return file_->size; }

  std::optional<size_t> read_some_at(uint64_t offset, void* buf, size_t n,
                                     std::string* err) const override {
    if (offset >= file_->size) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, file_->size - offset));
    if (n == 0) return 0;
    std::lock_guard<std::mutex> lock(file_->mu);
    if (file_->copy_out(offset, buf, n)) return n;
    const RemoteStorage& s = *storage_;
    const uint64_t len =
        std::min<uint64_t>(std::max<uint64_t>(n, kMinOnDemandRead), file_->size - offset);
    if (auto kept = s.cache_.get_range(file_->path, offset, len)) {
      s.from_cache_ += len;
      file_->insert(offset, std::move(*kept));
    } else {
      if (s.on_demand_.fetch_add(len) + len > kMaxOnDemandBytes) {
        *err = "reading more than " + std::to_string(kMaxOnDemandBytes >> 20) + " MiB of " +
               s.repo_.ref.display() +
               " over HTTP is refused: download the repository to read its tensor data";
        s.note_failure(file_->name, *err);
        return std::nullopt;
      }
      HttpRequest req;
      req.url = resolve_url(s.repo_, file_->path);
      req.range = std::make_pair(offset, len);
      req.resource_size = file_->size;
      HttpResponse r = s.client_->fetch(req);
      if (!r.ok()) {
        *err = fetch_failure(file_->path, r, s.settings_, s.repo_.ref);
        s.note_failure(file_->name, *err);
        return std::nullopt;
      }
      s.cache_.put_range(file_->path, offset, r.body);
      file_->insert(offset, std::move(r.body));
    }
    file_->copy_out(offset, buf, n);
    return n;
  }

 private:
  std::shared_ptr<const RemoteStorage> storage_;
  std::shared_ptr<RemoteStorage::File> file_;
};

RemoteStorage::RemoteStorage(HubRepo repo, HubSettings settings,
                             std::shared_ptr<const HttpClient> client)
    : repo_(std::move(repo)),
      settings_(std::move(settings)),
      client_(std::move(client)),
      cache_(settings_.cache_dir, repo_.endpoint, repo_.ref.repo, repo_.commit) {
  const std::string& path = repo_.ref.path;
  if (!path.empty()) {
    auto it = std::find_if(repo_.entries.begin(), repo_.entries.end(),
                           [&](const HubTreeEntry& e) { return e.path == path; });
    const bool folder_below =
        std::any_of(repo_.entries.begin(), repo_.entries.end(),
                    [&](const HubTreeEntry& e) { return e.path.rfind(path + "/", 0) == 0; });
    if (it != repo_.entries.end() && it->type == HubTreeEntry::Type::kFile) {
      const size_t slash = path.rfind('/');
      prefix_ = slash == std::string::npos ? "" : path.substr(0, slash + 1);
      file_name_ = slash == std::string::npos ? path : path.substr(slash + 1);
    } else if (folder_below || it != repo_.entries.end()) {
      prefix_ = path + "/";
    } else {
      throw RemoteError("no file or folder '" + path + "' in " + repo_.ref.repo + " at commit " +
                        repo_.commit);
    }
  }
  for (const auto& e : repo_.entries) {
    if (e.type != HubTreeEntry::Type::kFile || e.path.rfind(prefix_, 0) != 0) continue;
    std::string rel = e.path.substr(prefix_.size());
    if (rel.find('/') != std::string::npos) continue;
    auto f = std::make_shared<File>();
    f->name = rel;
    f->path = e.path;
    f->size = e.size;
    files_.emplace(std::move(rel), std::move(f));
  }
}

std::string RemoteStorage::path_of(std::string_view name) const {
  return prefix_ + std::string(name);
}

StorageListing RemoteStorage::list(const ListOptions& opts) const {
  StorageListing out;
  std::map<std::string, StorageEntry> dirs;
  std::vector<StorageEntry> files;
  uint64_t visited = 0;
  for (const auto& e : repo_.entries) {
    if (e.path.rfind(prefix_, 0) != 0 || e.path.size() == prefix_.size()) continue;
    if (visited == opts.max_entries) {
      out.truncated = true;
      break;
    }
    ++visited;
    const std::string rel = e.path.substr(prefix_.size());
    const size_t slash = rel.find('/');
    if (slash == std::string::npos) {
      if (e.type == HubTreeEntry::Type::kDirectory) {
        StorageEntry& d = dirs[rel];
        d.name = rel;
        d.type = StorageEntry::Type::kDirectory;
      } else {
        StorageEntry f;
        f.name = rel;
        f.bytes = e.size;
        files.push_back(std::move(f));
      }
      continue;
    }
    const std::string top = rel.substr(0, slash);
    StorageEntry& d = dirs[top];
    d.name = top;
    d.type = StorageEntry::Type::kDirectory;
    if (e.type == HubTreeEntry::Type::kFile) {
      d.bytes += e.size;
      note_inner_file(d, rel, e.size);
    }
  }
  for (auto& f : files) out.entries.push_back(std::move(f));
  for (auto& [name, d] : dirs) out.entries.push_back(std::move(d));
  return out;
}

std::unique_ptr<ByteSource> RemoteStorage::open(std::string_view name, std::string* err) const {
  auto it = files_.find(name);
  if (it == files_.end()) {
    *err = "cannot open: no such file in " + repo_.ref.display();
    return nullptr;
  }
  return std::make_unique<RemoteSource>(shared_from_this(), it->second);
}

std::string RemoteStorage::locate(std::string_view name) const {
  return "hf://" + repo_.ref.repo + "@" + repo_.commit + "/" + path_of(name);
}

void RemoteStorage::note_failure(const std::string& name, const std::string& message) const {
  std::lock_guard<std::mutex> lock(failures_mu_);
  if (failures_.size() < 100) failures_.emplace_back(name, message);
}

std::vector<std::pair<std::string, std::string>> RemoteStorage::failures() const {
  std::lock_guard<std::mutex> lock(failures_mu_);
  return failures_;
}

void RemoteStorage::fetch_round(const std::vector<Want>& wants) {
  std::vector<HttpRequest> requests;
  std::vector<const Want*> asked;
  for (const Want& w : wants) {
    std::lock_guard<std::mutex> lock(w.file->mu);
    if (w.file->holds(w.offset, w.length)) continue;
    if (auto kept = cache_.get_range(w.file->path, w.offset, w.length)) {
      from_cache_ += w.length;
      w.file->insert(w.offset, std::move(*kept));
      continue;
    }
    HttpRequest req;
    req.url = resolve_url(repo_, w.file->path);
    req.range = std::make_pair(w.offset, w.length);
    req.resource_size = w.file->size;
    requests.push_back(std::move(req));
    asked.push_back(&w);
  }
  std::vector<HttpResponse> answers = client_->fetch_all(requests);
  for (size_t i = 0; i < answers.size(); ++i) {
    const Want& w = *asked[i];
    if (!answers[i].ok())
      throw RemoteError(fetch_failure(w.file->path, answers[i], settings_, repo_.ref));
    cache_.put_range(w.file->path, w.offset, answers[i].body);
    std::lock_guard<std::mutex> lock(w.file->mu);
    w.file->insert(w.offset, std::move(answers[i].body));
  }
}

void RemoteStorage::prefetch_for_validation() {
  // Round 1: small files whole, and the speculative first range of every safetensors file.
  std::vector<Want> first;
  std::vector<File*> weights;
  for (const auto& [name, f] : files_) {
    if (f->size == 0) continue;
    if (!file_name_.empty() && name != file_name_) continue;
    if (classify_file_name(name) == EntryKind::kWeights) {
      first.push_back({f.get(), 0, std::min<uint64_t>(f->size, kSpeculativeHeaderBytes)});
      weights.push_back(f.get());
    } else if (file_name_.empty() && f->size <= kMaxPrefetchFileBytes &&
               read_whole(name, f->size)) {
      first.push_back({f.get(), 0, f->size});
    }
  }
  fetch_round(first);
  // Round 2: the rest of each header the first range did not hold.
  std::vector<Want> second;
  for (File* f : weights) {
    std::lock_guard<std::mutex> lock(f->mu);
    uint8_t len[8];
    if (f->size < 8 || !f->copy_out(0, len, 8)) continue;
    const uint64_t n = load_le64(len);
    if (n > kMaxSafetensorsHeader || n + 8 > f->size) continue;  // the reader reports it
    const uint64_t have = std::min<uint64_t>(f->size, kSpeculativeHeaderBytes);
    if (n + 8 > have) second.push_back({f, have, n + 8 - have});
  }
  fetch_round(second);
}

RemoteRead RemoteStorage::summary() const {
  RemoteRead r;
  r.source = repo_.ref.display();
  r.endpoint = repo_.endpoint;
  r.repo = repo_.ref.repo;
  r.revision = repo_.ref.revision;
  r.commit = repo_.commit;
  const HttpStats st = client_->stats();
  r.requests = st.requests;
  r.redirects = st.redirects;
  r.retries = st.retries;
  r.bytes_fetched = st.bytes;
  r.bytes_from_cache = from_cache_.load() + repo_.listing_from_cache;
  r.repo_files = repo_.file_count;
  r.repo_bytes = repo_.total_bytes;
  return r;
}

std::shared_ptr<RemoteStorage> open_remote(const HfRef& ref, const HubSettings& settings) {
  auto origin = url_origin(settings.endpoint);
  if (!origin) throw RemoteError("the endpoint '" + settings.endpoint + "' is not an http(s) URL");
  auto client = std::make_shared<const HttpClient>(*origin, settings.token, settings.limits);
  HubRepo repo = resolve_repo(ref, settings, *client);
  return std::make_shared<RemoteStorage>(std::move(repo), settings, std::move(client));
}

}  // namespace medq
