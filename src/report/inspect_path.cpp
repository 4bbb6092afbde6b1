#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "medq/check/directory_checks.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq {
namespace {

Checkpoint load_scanned(const ModelDir& dir) {
  Checkpoint cp = load_checkpoint(dir);
  cp.findings.insert(cp.findings.begin(), dir.findings.begin(), dir.findings.end());
  std::vector<const DirEntry*> skipped;
  for (const auto& e : dir.entries) {
    if ((e.kind == EntryKind::kSymlink || e.kind == EntryKind::kSpecial) &&
        classify_file_name(e.name) == EntryKind::kWeights) {
      skipped.push_back(&e);
    }
  }
  for (Finding& f : skipped_entry_findings(skipped)) cp.findings.push_back(std::move(f));
  return cp;
}

Checkpoint load_directory(const std::string& path, bool follow_symlinks,
                          std::optional<CacheSource>* cache) {
  ScanOptions scan;
  scan.follow_symlinks = follow_symlinks;
  ModelDir dir = scan_model_dir(path, scan);
  if (dir.snapshot) {
    const CacheRepoScan repo = scan_cache_repo(*dir.snapshot);
    *cache = cache_source(dir, &repo);
  }
  return load_scanned(dir);
}

// The architecture, for the layout: config.json as validate reads it (its problems are
// validate's to report).
std::optional<Architecture> folder_architecture(const Storage& storage) {
  Opened config_file = open_entry(storage, "config.json");
  if (!config_file.source) return std::nullopt;
  const JsonFileResult config = read_json_file(std::move(config_file), "config.json", "config");
  if (!config.value) return std::nullopt;
  return resolve_architecture(*config.value).arch;
}

}  // namespace

InspectReport inspect_path(const std::string& path, bool follow_symlinks,
                           const std::string& target) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    throw std::runtime_error("cannot read '" + path +
                             "': " + (ec ? ec.message() : "no such file or directory"));
  }
  std::optional<CacheSource> cache;
  const bool dir = std::filesystem::is_directory(st);
  Checkpoint cp = dir ? load_directory(path, follow_symlinks, &cache) : load_single_file(path);
  std::optional<Architecture> arch;
  if (dir && cp.storage) arch = folder_architecture(*cp.storage);
  InspectReport r = build_inspect_report(cp, target.empty() ? path : target, arch);
  r.cache = std::move(cache);
  return r;
}

InspectReport inspect_storage(std::shared_ptr<const Storage> storage, std::string target,
                              const std::string& file_name) {
  if (file_name.empty()) {
    const std::optional<Architecture> arch = folder_architecture(*storage);
    return build_inspect_report(load_scanned(scan_model_dir(std::move(storage), target)),
                                std::move(target), arch);
  }
  Checkpoint cp;
  cp.storage = storage;
  WeightFile wf;
  wf.name = file_name;
  wf.header = read_safetensors(open_entry(*storage, file_name), file_name);
  cp.findings = wf.header.findings;
  cp.files.push_back(std::move(wf));
  return build_inspect_report(cp, std::move(target));
}

}  // namespace medq
