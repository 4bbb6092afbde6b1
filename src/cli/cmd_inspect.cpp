// `medq inspect FILE|DIR`: the tensors of one safetensors file or of every weight file in a
// directory, read from the headers alone.
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/check/directory_checks.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq::cli {
namespace {

struct InspectOptions {
  std::string path;
  OutputFormat format = OutputFormat::kText;
  bool follow_symlinks = false;
};

// The weight files of a directory as `medq validate` sees them: symlinks out of the folder,
// loops and FIFOs named *.safetensors are reported, not read.
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

int run_inspect(const InspectOptions& o) {
  std::error_code ec;
  auto st = std::filesystem::status(o.path, ec);
  if (ec || !std::filesystem::exists(st)) {
    print_error("cannot read '" + o.path +
                "': " + (ec ? ec.message() : "no such file or directory"));
    return kExitToolError;
  }
  Checkpoint cp = std::filesystem::is_directory(st) ? load_directory(o.path, o.follow_symlinks)
                                                    : load_single_file(o.path);
  InspectReport r = build_inspect_report(cp, o.path);
  print(render(r, o.format));
  return r.valid() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_inspect(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand(
      "inspect", "List the tensors of a safetensors file or model directory (headers only)");
  sub->add_option("path", opts->path, "A .safetensors file or a model directory")->required();
  add_format_option(sub, &opts->format, "text");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_inspect(*opts); }; });
}

}  // namespace medq::cli
