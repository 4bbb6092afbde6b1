// `medq verify DIR --manifest FILE`: checks a model directory against a manifest offline and
// names every file and tensor that differs, is missing or is extra.
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/integrity/manifest.hpp"
#include "medq/integrity/verify.hpp"
#include "medq/report/render_verify.hpp"

namespace medq::cli {
namespace {

struct VerifyCliOptions {
  std::string dir;
  std::string manifest;
  OutputFormat format = OutputFormat::kText;
  unsigned threads = 0;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
};

int run_verify(const VerifyCliOptions& o) {
  const std::optional<ModelLocation> loc = model_dir(o.dir, o.revision);
  if (!loc) return kExitToolError;
  ManifestParse parsed = read_manifest(o.manifest);
  if (!parsed.manifest) {
    print_error("manifest '" + o.manifest + "': " + parsed.error);
    return kExitToolError;
  }
  ManifestOptions opts;
  opts.threads = o.threads;
  opts.follow_symlinks = o.follow_symlinks;
  // A manifest kept inside the directory under any name is not part of what it records.
  if (auto id = file_id(o.manifest)) opts.exclude.push_back(*id);
  ManifestScan scan = make_manifest(loc->dir, opts);
  VerifyReport r = verify_manifest(*parsed.manifest, scan);
  r.target = o.dir;
  r.manifest = o.manifest;
  print(render(r, o.format));
  if (r.incomplete()) {
    print_error("some files could not be read, so the check is incomplete (see the report)");
    return kExitToolError;
  }
  return r.verified() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_verify(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<VerifyCliOptions>();
  auto* sub =
      app.add_subcommand("verify", "Check a model directory against a checksum manifest (offline)");
  sub->add_option("dir", opts->dir,
                  "The model directory, or a Hugging Face repository id ORG/NAME in the cache")
      ->required();
  add_revision_option(sub, &opts->revision);
  sub->add_option("--manifest", opts->manifest, "The manifest written by `medq manifest`")
      ->required()
      ->type_name("FILE");
  add_format_option(sub, &opts->format, "text");
  add_threads_option(sub, &opts->threads, "Files hashed at once");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_verify(*opts); }; });
}

}  // namespace medq::cli
