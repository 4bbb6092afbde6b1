#include "medq/model/model_dir.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <system_error>

#include "medq/io/file.hpp"
#include "medq/io/symlink.hpp"

namespace medq {

std::string_view entry_kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::kWeights:
      return "weights";
    case EntryKind::kIndex:
      return "index";
    case EntryKind::kConfig:
      return "config";
    case EntryKind::kGenerationConfig:
      return "generation config";
    case EntryKind::kTokenizerJson:
      return "tokenizer";
    case EntryKind::kTokenizerModel:
      return "tokenizer model";
    case EntryKind::kTokenizerConfig:
      return "tokenizer config";
    case EntryKind::kSpecialTokensMap:
      return "special tokens map";
    case EntryKind::kProcessorConfig:
      return "processor config";
    case EntryKind::kPreprocessorConfig:
      return "preprocessor config";
    case EntryKind::kOtherJson:
      return "other JSON";
    case EntryKind::kDocs:
      return "documentation";
    case EntryKind::kPartialDownload:
      return "partial download";
    case EntryKind::kOther:
      return "unreferenced";
    case EntryKind::kDirectory:
      return "directory";
    case EntryKind::kSpecial:
      return "special file";
    case EntryKind::kSymlink:
      return "symlink";
  }
  return "unknown";
}

const DirEntry* ModelDir::find(std::string_view name) const {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

bool ModelDir::has(EntryKind k) const {
  return std::any_of(entries.begin(), entries.end(),
                     [k](const DirEntry& e) { return e.kind == k; });
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

EntryKind classify_file_name(std::string_view name) {
  if (ends_with(name, ".incomplete") || ends_with(name, ".part") || ends_with(name, ".lock") ||
      ends_with(name, ".tmp") || ends_with(name, ".partial")) {
    return EntryKind::kPartialDownload;
  }
  if (ends_with(name, ".safetensors")) return EntryKind::kWeights;
  if (name == "model.safetensors.index.json") return EntryKind::kIndex;
  if (name == "config.json") return EntryKind::kConfig;
  if (name == "generation_config.json") return EntryKind::kGenerationConfig;
  if (name == "tokenizer.json") return EntryKind::kTokenizerJson;
  if (name == "tokenizer.model") return EntryKind::kTokenizerModel;
  if (name == "tokenizer_config.json") return EntryKind::kTokenizerConfig;
  if (name == "special_tokens_map.json") return EntryKind::kSpecialTokensMap;
  if (name == "processor_config.json") return EntryKind::kProcessorConfig;
  if (name == "preprocessor_config.json") return EntryKind::kPreprocessorConfig;
  if (ends_with(name, ".json")) return EntryKind::kOtherJson;
  if (name == "README.md" || name == "LICENSE" || name == "LICENSE.md" || name == "LICENSE.txt" ||
      name == ".gitattributes" || name == "USE_POLICY.md" || name == "NOTICE" ||
      ends_with(name, ".jinja") || name == "chat_template.txt") {
    return EntryKind::kDocs;
  }
  return EntryKind::kOther;
}

bool loader_reads(EntryKind k) {
  switch (k) {
    case EntryKind::kWeights:
    case EntryKind::kIndex:
    case EntryKind::kConfig:
    case EntryKind::kGenerationConfig:
    case EntryKind::kTokenizerJson:
    case EntryKind::kTokenizerModel:
    case EntryKind::kTokenizerConfig:
    case EntryKind::kSpecialTokensMap:
    case EntryKind::kProcessorConfig:
    case EntryKind::kPreprocessorConfig:
      return true;
    default:
      return false;
  }
}

namespace {

// Git LFS pointer files are small text files starting with this line.
constexpr std::string_view kLfsMagic = "version https://git-lfs.github.com/spec/v1";

bool is_lfs_pointer(const std::filesystem::path& p, uint64_t size) {
  if (size > 1024 || size < kLfsMagic.size()) return false;
  std::string err;
  auto f = File::open(p, &err);
  if (!f) return false;
  std::string head(kLfsMagic.size(), '\0');
  if (!f->read_at(0, head.data(), head.size(), &err)) return false;
  return head == kLfsMagic;
}

// Sums the apparent sizes below `dir` without following symlinks, visiting at most `*budget`
// entries.
uint64_t subtree_bytes(const std::filesystem::path& dir, uint64_t* budget, bool* truncated) {
  uint64_t total = 0;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(
      dir, std::filesystem::directory_options::skip_permission_denied, ec);
  for (std::filesystem::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    if (*budget == 0) {
      *truncated = true;
      break;
    }
    --*budget;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      total += static_cast<uint64_t>(st.st_size);
    }
  }
  return total;
}

}  // namespace

ModelDir scan_model_dir(const std::filesystem::path& dir, const ScanOptions& opts) {
  ModelDir md;
  md.root = dir;
  const uint64_t max_entries = opts.max_entries;
  uint64_t budget = max_entries;
  std::error_code cec;
  const std::filesystem::path root_canonical = std::filesystem::canonical(dir, cec);
  bool truncated = false;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    md.findings.push_back(file_finding("directory.unreadable", Severity::kError, "",
                                       "cannot list the directory: " + ec.message()));
    return md;
  }
  for (std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) {
    if (budget == 0) {
      truncated = true;
      break;
    }
    --budget;
    DirEntry e;
    e.name = it->path().filename().string();
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) {
      md.findings.push_back(file_finding("directory.unreadable", Severity::kError, e.name,
                                         std::string("cannot stat: ") + std::strerror(errno)));
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      e.kind = EntryKind::kSymlink;
      LinkTarget t = resolve_link(root_canonical, it->path());
      e.symlink_target = t.text;
      struct stat tst {};
      if (cec) {
        e.link = LinkStatus::kBroken;  // the folder itself cannot be resolved: follow nothing
      } else if (t.where == LinkWhere::kLoop) {
        e.link = LinkStatus::kLoop;
      } else if (t.where == LinkWhere::kBroken || t.where == LinkWhere::kError ||
                 ::stat(t.resolved.c_str(), &tst) != 0) {
        e.link = LinkStatus::kBroken;
      } else if (S_ISDIR(tst.st_mode)) {
        e.link = LinkStatus::kDirectory;
      } else if (!S_ISREG(tst.st_mode)) {
        e.link = LinkStatus::kSpecial;
      } else if (t.where == LinkWhere::kOutside && !opts.follow_symlinks) {
        e.link = LinkStatus::kOutside;
      } else {
        e.link = LinkStatus::kFollowed;
        e.target_outside = t.where == LinkWhere::kOutside;
        e.bytes = static_cast<uint64_t>(tst.st_size);
        e.kind = classify_file_name(e.name);
        if (e.kind == EntryKind::kWeights || e.kind == EntryKind::kOther ||
            e.kind == EntryKind::kTokenizerModel || e.kind == EntryKind::kTokenizerJson) {
          e.lfs_pointer = is_lfs_pointer(it->path(), e.bytes);
        }
        // A target inside the folder is counted where it lies.
        if (!e.target_outside) {
          md.entries.push_back(std::move(e));
          continue;
        }
      }
    } else if (S_ISDIR(st.st_mode)) {
      e.kind = EntryKind::kDirectory;
      e.bytes = subtree_bytes(it->path(), &budget, &truncated);
      if (e.name == ".cache" || e.name == ".huggingface") e.kind = EntryKind::kPartialDownload;
    } else if (S_ISREG(st.st_mode)) {
      e.bytes = static_cast<uint64_t>(st.st_size);
      e.kind = classify_file_name(e.name);
      if (e.kind == EntryKind::kWeights || e.kind == EntryKind::kOther ||
          e.kind == EntryKind::kTokenizerModel || e.kind == EntryKind::kTokenizerJson) {
        e.lfs_pointer = is_lfs_pointer(it->path(), e.bytes);
      }
    } else {
      e.kind = EntryKind::kSpecial;
    }
    md.total_bytes += e.bytes;
    md.entries.push_back(std::move(e));
  }
  if (ec) {
    md.findings.push_back(file_finding("directory.unreadable", Severity::kError, "",
                                       "listing the directory failed: " + ec.message()));
  }
  if (truncated) {
    md.findings.push_back(file_finding(
        "directory.too_many_entries", Severity::kWarning, "",
        "stopped after " + std::to_string(max_entries) + " entries; sizes are lower bounds"));
  }
  std::sort(md.entries.begin(), md.entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return md;
}

}  // namespace medq
