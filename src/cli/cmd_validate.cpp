// `medq validate DIR`: is this directory a complete, self-consistent model?
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/check/deep_scan.hpp"
#include "medq/check/validate.hpp"
#include "medq/report/validate_report.hpp"
#include "progress.hpp"
#include "remote_model.hpp"

namespace medq::cli {
namespace {

struct ValidateOptions {
  std::string path;
  OutputFormat format = OutputFormat::kText;
  bool strict = false;
  bool deep = false;
  bool quiet = false;
  bool follow_symlinks = false;
  unsigned threads = 0;
  std::optional<std::string> revision;
  RemoteOptions remote;
};

// `medq validate hf://ORG/NAME[@REV]`: the same checks on what the Hub serves, read by range
// requests (docs/remote.md).
int run_validate_remote(const ValidateOptions& o) {
  if (o.deep && refuse_remote(o.path, "--deep")) return kExitToolError;
  auto storage = open_remote_model(o.path, o.remote, o.revision);
  if (!storage) return kExitToolError;
  Validation v = validate_model(scan_model_dir(storage, o.path));
  if (remote_reads_failed(*storage)) return kExitToolError;
  ValidateReport r = build_validate_report(v, o.path, o.strict, false);
  r.remote = storage->summary();
  print(render(r, o.format));
  return r.passed() ? kExitOk : kExitInvalid;
}

int run_validate(const ValidateOptions& o) {
  if (is_hf_url(o.path)) return run_validate_remote(o);
  const std::optional<ModelLocation> loc =
      model_dir(o.path, o.revision,
                " (validate takes a model directory; use `medq inspect` for a single file)");
  if (!loc) return kExitToolError;
  ScanOptions scan_opts;
  scan_opts.follow_symlinks = o.follow_symlinks;
  Validation v = validate_model(loc->dir, scan_opts);
  DeepScanStats read;
  if (o.deep) {
    Progress progress("scanning tensor data", o.quiet);
    DataScanOptions scan;
    scan.threads = o.threads;
    scan.progress = progress.callback();
    read = add_deep_scan_findings(&v, scan);
  }
  ValidateReport r = build_validate_report(v, o.path, o.strict, o.deep);
  r.deep_tensors = read.tensors;
  r.deep_bytes_read = read.bytes_read;
  print(render(r, o.format));
  return r.passed() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_validate(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<ValidateOptions>();
  auto* sub = app.add_subcommand(
      "validate", "Check that a model directory is complete and internally consistent");
  sub->add_option("dir", opts->path,
                  "The model directory, a Hugging Face repository id ORG/NAME in the cache, or "
                  "hf://ORG/NAME[@REV]")
      ->required();
  add_revision_option(sub, &opts->revision);
  add_format_option(sub, &opts->format, "text");
  sub->add_flag("--strict", opts->strict, "Warnings fail too (exit 1)");
  sub->add_flag("--deep", opts->deep,
                "Also scan every tensor's data: NaN/Inf, all-zero tensors, corrupt scales");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_threads_option(sub, &opts->threads, "Worker threads for --deep");
  add_remote_options(sub, &opts->remote);
  sub->callback([opts, selected] { *selected = [opts] { return run_validate(*opts); }; });
}

}  // namespace medq::cli
