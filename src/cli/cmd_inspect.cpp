// `medq inspect FILE|DIR`: the tensors of one safetensors file or of every weight file in a
// directory, read from the headers alone.
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq::cli {
namespace {

struct InspectOptions {
  std::string path;
  OutputFormat format = OutputFormat::kText;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
};

int run_inspect(const InspectOptions& o) {
  ModelLocation loc;
  try {
    loc = resolve_model_location(o.path, o.revision, process_environment());
  } catch (const HubError& e) {
    print_error(e.what());
    return kExitToolError;
  }
  InspectReport r = inspect_path(loc.dir.string(), o.follow_symlinks, o.path);
  print(render(r, o.format));
  return r.valid() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_inspect(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand(
      "inspect", "List the tensors of a safetensors file or model directory (headers only)");
  sub->add_option("path", opts->path,
                  "A .safetensors file, a model directory, or a Hugging Face repository id "
                  "ORG/NAME in the cache")
      ->required();
  add_revision_option(sub, &opts->revision);
  add_format_option(sub, &opts->format, "text");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_inspect(*opts); }; });
}

}  // namespace medq::cli
