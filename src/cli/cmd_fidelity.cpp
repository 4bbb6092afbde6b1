// `medq fidelity DIR... [--reference DIR]`: how far each variant's weights are from the
// reference's, measured from the data.
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/fidelity_report.hpp"
#include "progress.hpp"

namespace medq::cli {
namespace {

struct FidelityCliOptions {
  std::vector<std::string> dirs;
  std::string reference;
  OutputFormat format = OutputFormat::kText;
  size_t top = 10;
  unsigned threads = 0;
  bool quiet = false;
  bool follow_symlinks = false;
};

int run_fidelity(const FidelityCliOptions& o) {
  if (o.dirs.empty()) {
    print_error("give one or more model directories");
    return kExitToolError;
  }
  for (const auto& d : o.dirs) {
    if (!require_directory(d)) return kExitToolError;
  }
  if (!o.reference.empty() && !require_directory(o.reference)) return kExitToolError;
  FidelityRequest request;
  request.dirs = o.dirs;
  request.reference = o.reference;
  request.threads = o.threads;
  request.follow_symlinks = o.follow_symlinks;
  StepProgress progress(o.quiet);
  request.progress = progress.callback();
  FidelityReport r = medq::run_fidelity(request, o.top);
  progress.finish();
  print(render(r, o.format, output_width()));
  return r.all_valid() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_fidelity(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<FidelityCliOptions>();
  auto* sub = app.add_subcommand(
      "fidelity", "Measure how far each variant's weights are from a reference variant's");
  sub->add_option("dirs", opts->dirs, "Model directories (variants of one model)");
  sub->add_option("--reference", opts->reference,
                  "The reference variant (default: the most precise of DIRs)")
      ->type_name("DIR");
  add_format_option(sub, &opts->format, "text", /*html=*/true);
  sub->add_option("--top", opts->top, "Worst tensors listed per variant (0 to 100,000, default 10)")
      ->type_name("N")
      ->check(whole_number(0, 100'000));
  add_threads_option(sub, &opts->threads, "Worker threads");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_fidelity(*opts); }; });
}

}  // namespace medq::cli
