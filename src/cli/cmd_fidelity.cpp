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
  std::optional<std::string> revision;
  std::vector<std::string> labels;
};

int run_fidelity(const FidelityCliOptions& o) {
  if (o.dirs.empty()) {
    print_error("give one or more model directories");
    return kExitToolError;
  }
  std::vector<ModelLocation> locs;
  for (const auto& d : o.dirs) {
    std::optional<ModelLocation> loc = model_dir(d, o.revision);
    if (!loc) return kExitToolError;
    locs.push_back(std::move(*loc));
  }
  FidelityRequest request;
  if (!o.reference.empty()) {
    std::optional<ModelLocation> ref = model_dir(o.reference, o.revision);
    if (!ref) return kExitToolError;
    request.reference = ref->dir.string();
    locs.push_back(std::move(*ref));  // labelled with the others, so that all differ
  }
  std::optional<std::vector<std::string>> labels = labels_for(locs, o.labels);
  if (!labels) return kExitToolError;
  const std::string name = model_name(label_inputs(locs));
  if (!o.reference.empty()) {
    request.reference_label = labels->back();
    labels->pop_back();
    locs.pop_back();
  }
  for (const ModelLocation& loc : locs) request.dirs.push_back(loc.dir.string());
  request.labels = std::move(*labels);
  request.threads = o.threads;
  request.follow_symlinks = o.follow_symlinks;
  StepProgress progress(o.quiet);
  request.progress = progress.callback();
  FidelityReport r = medq::run_fidelity(request, o.top);
  r.model_name = name;
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
  add_revision_option(sub, &opts->revision);
  add_label_option(sub, &opts->labels);
  sub->callback([opts, selected] { *selected = [opts] { return run_fidelity(*opts); }; });
}

}  // namespace medq::cli
