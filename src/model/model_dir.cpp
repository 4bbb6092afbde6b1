#include "medq/model/model_dir.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "medq/io/local_storage.hpp"

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

bool is_lfs_pointer(const Storage& storage, const std::string& name, uint64_t size) {
  if (size > 1024 || size < kLfsMagic.size()) return false;
  std::string err;
  auto f = storage.open(name, &err);
  if (!f) return false;
  std::string head(kLfsMagic.size(), '\0');
  if (!f->read_at(0, head.data(), head.size(), &err)) return false;
  return head == kLfsMagic;
}

bool may_be_lfs_pointer(EntryKind k) {
  return k == EntryKind::kWeights || k == EntryKind::kOther || k == EntryKind::kTokenizerModel ||
         k == EntryKind::kTokenizerJson;
}

}  // namespace

ModelDir scan_model_dir(const std::filesystem::path& dir, const ScanOptions& opts) {
  if (std::optional<HfSnapshot> snap = find_hf_snapshot(dir)) {
    ModelDir md = scan_model_dir(std::make_shared<HfSnapshotStorage>(*snap), dir, opts);
    md.snapshot = std::move(snap);
    return md;
  }
  return scan_model_dir(std::make_shared<LocalStorage>(dir), dir, opts);
}

ModelDir scan_model_dir(std::shared_ptr<const Storage> storage, std::filesystem::path root,
                        const ScanOptions& opts) {
  ModelDir md;
  md.root = std::move(root);
  md.storage = std::move(storage);
  StorageListing listing = md.storage->list({opts.follow_symlinks, opts.max_entries});
  for (auto& [name, message] : listing.problems) {
    md.findings.push_back(file_finding("directory.unreadable", Severity::kError, std::move(name),
                                       std::move(message)));
  }
  for (StorageEntry& se : listing.entries) {
    DirEntry e;
    e.name = std::move(se.name);
    e.bytes = se.bytes;
    e.link = se.link;
    e.symlink_target = std::move(se.symlink_target);
    e.target_outside = se.target_outside;
    e.target_in_store = se.target_in_store;
    e.largest_files = std::move(se.largest_files);
    e.file_count = se.file_count;
    switch (se.type) {
      case StorageEntry::Type::kFile:
        e.kind = classify_file_name(e.name);
        if (may_be_lfs_pointer(e.kind))
          e.lfs_pointer = is_lfs_pointer(*md.storage, e.name, e.bytes);
        break;
      case StorageEntry::Type::kDirectory:
        e.kind = EntryKind::kDirectory;
        if (e.name == ".cache" || e.name == ".huggingface") e.kind = EntryKind::kPartialDownload;
        break;
      case StorageEntry::Type::kSpecial:
        e.kind = EntryKind::kSpecial;
        break;
      case StorageEntry::Type::kSymlink:
        e.kind = EntryKind::kSymlink;
        break;
    }
    // A followed link's target inside the folder is counted where it lies.
    if (e.link != LinkStatus::kFollowed || e.target_outside) md.total_bytes += e.bytes;
    md.entries.push_back(std::move(e));
  }
  if (listing.truncated) {
    md.findings.push_back(file_finding(
        "directory.too_many_entries", Severity::kWarning, "",
        "stopped after " + std::to_string(opts.max_entries) + " entries; sizes are lower bounds"));
  }
  std::sort(md.entries.begin(), md.entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return md;
}

}  // namespace medq
