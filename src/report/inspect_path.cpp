#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "medq/check/directory_checks.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq {
namespace {

Checkpoint load_scanned(const ModelDir& dir) {
  Checkpoint cp = load_checkpoint(dir);
  cp.findings.insert(cp.findings.begin(), dir.findings.begin(), dir.findings.end());
  for (const auto& e : dir.entries) {
    if ((e.kind == EntryKind::kSymlink || e.kind == EntryKind::kSpecial) &&
        classify_file_name(e.name) == EntryKind::kWeights) {
      cp.findings.push_back(skipped_entry_finding(e));
    }
  }
  return cp;
}

Checkpoint load_directory(const std::string& path, bool follow_symlinks) {
  ScanOptions scan;
  scan.follow_symlinks = follow_symlinks;
  return load_scanned(scan_model_dir(path, scan));
}

}  // namespace

InspectReport inspect_path(const std::string& path, bool follow_symlinks) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    throw std::runtime_error("cannot read '" + path +
                             "': " + (ec ? ec.message() : "no such file or directory"));
  }
  Checkpoint cp = std::filesystem::is_directory(st) ? load_directory(path, follow_symlinks)
                                                    : load_single_file(path);
  return build_inspect_report(cp, path);
}

InspectReport inspect_storage(std::shared_ptr<const Storage> storage, std::string target,
                              const std::string& file_name) {
  if (file_name.empty()) {
    return build_inspect_report(load_scanned(scan_model_dir(std::move(storage), target)), target);
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
