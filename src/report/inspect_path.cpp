#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "medq/check/directory_checks.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq {
namespace {

Checkpoint load_directory(const std::string& path, bool follow_symlinks) {
  ScanOptions scan;
  scan.follow_symlinks = follow_symlinks;
  ModelDir dir = scan_model_dir(path, scan);
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

}  // namespace medq
