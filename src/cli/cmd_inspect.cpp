// `medq inspect FILE|DIR`: the tensors of one safetensors file or of every weight file in a
// directory, read from the headers alone.
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/report/inspect_report.hpp"

namespace medq::cli {
namespace {

struct InspectOptions {
  std::string path;
  OutputFormat format = OutputFormat::kText;
};

int run_inspect(const InspectOptions& o) {
  std::error_code ec;
  auto st = std::filesystem::status(o.path, ec);
  if (ec || !std::filesystem::exists(st)) {
    print_error("cannot read '" + o.path +
                "': " + (ec ? ec.message() : "no such file or directory"));
    return kExitToolError;
  }
  Checkpoint cp =
      std::filesystem::is_directory(st) ? load_checkpoint(o.path) : load_single_file(o.path);
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
  sub->callback([opts, selected] { *selected = [opts] { return run_inspect(*opts); }; });
}

}  // namespace medq::cli
