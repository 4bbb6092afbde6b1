// `medq inspect FILE|DIR`: the tensors of one safetensors file or of every weight file in a
// directory, read from the headers alone.
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/inspect_report.hpp"
#include "remote_model.hpp"

namespace medq::cli {
namespace {

struct InspectOptions {
  std::string path;
  OutputFormat format = OutputFormat::kText;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
  RemoteOptions remote;
};

int run_inspect_remote(const InspectOptions& o) {
  auto storage = open_remote_model(o.path, o.remote, o.revision);
  if (!storage) return kExitToolError;
  const std::string& file = storage->file_name();
  if (!file.empty() && classify_file_name(file) != EntryKind::kWeights) {
    print_error("'" + o.path + "' is not a .safetensors file (inspect takes a repository, a " +
                "folder of one, or a .safetensors file in it)");
    return kExitToolError;
  }
  InspectReport r = inspect_storage(storage, o.path, file);
  if (remote_reads_failed(*storage)) return kExitToolError;
  r.remote = storage->summary();
  print(render(r, o.format));
  return r.valid() ? kExitOk : kExitInvalid;
}

int run_inspect(const InspectOptions& o) {
  if (is_hf_url(o.path)) return run_inspect_remote(o);
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
                  "A .safetensors file, a model directory, a Hugging Face repository id "
                  "ORG/NAME in the cache, or hf://ORG/NAME[@REV][/PATH]")
      ->required();
  add_revision_option(sub, &opts->revision);
  add_format_option(sub, &opts->format, "text");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_remote_options(sub, &opts->remote);
  sub->callback([opts, selected] { *selected = [opts] { return run_inspect(*opts); }; });
}

}  // namespace medq::cli
