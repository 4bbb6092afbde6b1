#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "medq/check/directory_checks.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq {
namespace {

Checkpoint load_directory(const std::string& path, bool follow_symlinks,
                          std::optional<CacheSource>* cache) {
  ScanOptions scan;
  scan.follow_symlinks = follow_symlinks;
  ModelDir dir = scan_model_dir(path, scan);
  if (dir.snapshot) {
    const CacheRepoScan repo = scan_cache_repo(*dir.snapshot);
    *cache = cache_source(dir, &repo);
  }
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
  // The architecture, for the layout: config.json as validate reads it (its problems are
  // validate's to report).
  std::optional<Architecture> arch;
  if (dir && cp.storage) {
    Opened config_file = open_entry(*cp.storage, "config.json");
    if (config_file.source) {
      const JsonFileResult config = read_json_file(std::move(config_file), "config.json", "config");
      if (config.value) arch = resolve_architecture(*config.value).arch;
    }
  }
  InspectReport r = build_inspect_report(cp, target.empty() ? path : target, arch);
  r.cache = std::move(cache);
  return r;
}

}  // namespace medq
