// `medq manifest DIR`: the checksum manifest of a model directory, as JSON on stdout
// (docs/manifest.md). What was left out, and why, goes to stderr.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/integrity/manifest.hpp"

namespace medq::cli {
namespace {

struct ManifestCliOptions {
  std::string dir;
  unsigned threads = 0;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
};

void print_note(const std::string& message) {
  std::fprintf(stderr, "medq: note: %s\n", message.c_str());
}

int run_manifest(const ManifestCliOptions& o) {
  const std::optional<ModelLocation> loc = model_dir(o.dir, o.revision);
  if (!loc) return kExitToolError;
  ManifestOptions opts;
  opts.threads = o.threads;
  opts.follow_symlinks = o.follow_symlinks;
  // `medq manifest DIR > DIR/x.json`: the half-written output must not record itself.
  if (auto out = file_id_of_fd(STDOUT_FILENO)) opts.exclude.push_back(*out);
  ManifestScan scan = make_manifest(loc->dir, opts);
  for (const auto& s : scan.skipped) print_note(s.path + ": " + s.why);
  for (const auto& n : scan.notes) print_note(n);
  if (!scan.errors.empty()) {
    for (const auto& e : scan.errors) {
      print_error((e.path.empty() ? o.dir : e.path) + ": " + e.message);
    }
    print_error("no manifest written: " + std::to_string(scan.errors.size()) + " entr" +
                (scan.errors.size() == 1 ? "y" : "ies") + " could not be read");
    return kExitToolError;
  }
  if (scan.manifest.files.empty()) {
    // An empty manifest would verify against any empty folder: nothing to record is no manifest.
    print_error("no manifest written: " + o.dir + " holds no file to record" +
                (scan.skipped.empty() ? "" : " (every entry was left out, above)"));
    return kExitToolError;
  }
  print(manifest_to_json(scan.manifest));
  return kExitOk;
}

}  // namespace

void register_manifest(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<ManifestCliOptions>();
  auto* sub = app.add_subcommand(
      "manifest", "Write a checksum manifest of a model directory (JSON, to stdout)");
  sub->add_option("dir", opts->dir,
                  "The model directory, or a Hugging Face repository id ORG/NAME in the cache")
      ->required();
  add_revision_option(sub, &opts->revision);
  add_threads_option(sub, &opts->threads, "Files hashed at once");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_manifest(*opts); }; });
}

}  // namespace medq::cli
