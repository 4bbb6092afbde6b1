// `medq compare DIR... | --root PARENT`: the quantization comparison report.
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/compare_report.hpp"
#include "progress.hpp"
#include "remote_model.hpp"

namespace medq::cli {
namespace {

struct CompareCliOptions {
  std::vector<std::string> dirs;
  std::string root;
  std::string baseline;
  OutputFormat format = OutputFormat::kText;
  uint64_t context = 8192;
  std::string memory_budget;
  bool fidelity = false;
  bool quiet = false;
  bool follow_symlinks = false;
  RemoteOptions remote;
};

int run_compare(const CompareCliOptions& o) {
  CompareRequest request;
  std::vector<std::shared_ptr<RemoteStorage>> remotes;  // per dir; null for a local folder
  if (!o.root.empty()) {
    if (!o.dirs.empty()) {
      print_error("give either model directories or --root, not both");
      return kExitToolError;
    }
    if (is_hf_url(o.root)) {
      print_error("--root takes a local folder; name hf:// repositories one by one");
      return kExitToolError;
    }
    if (!require_directory(o.root)) return kExitToolError;
    request.root = o.root;
  } else {
    if (o.dirs.empty()) {
      print_error("give one or more model directories, or --root PARENT");
      return kExitToolError;
    }
    for (const auto& d : o.dirs) {
      if (is_hf_url(d)) {
        if (o.fidelity && refuse_remote(d, "--fidelity")) return kExitToolError;
        continue;
      }
      if (!require_directory(d)) return kExitToolError;
    }
    request.dirs = o.dirs;
    // hf:// variants: resolved, listed and prefetched one after another (each in parallel).
    for (const auto& d : o.dirs) {
      std::shared_ptr<RemoteStorage> s;
      if (is_hf_url(d)) {
        s = open_remote_model(d, o.remote);
        if (!s) return kExitToolError;
      }
      remotes.push_back(s);
      request.storages.push_back(s);
    }
  }
  request.options.context = o.context;
  if (!o.memory_budget.empty()) {
    std::string why;
    request.options.memory_budget = parse_memory_budget(o.memory_budget, &why);
    if (!request.options.memory_budget) {
      print_error("--memory-budget '" + o.memory_budget + "' " + why);
      return kExitToolError;
    }
  }
  request.baseline = o.baseline;
  request.options.fidelity = o.fidelity;
  request.options.follow_symlinks = o.follow_symlinks;
  StepProgress progress(o.quiet);
  request.progress = progress.callback();
  CompareReport r = medq::run_compare(request);
  progress.finish();
  std::vector<RemoteRead> reads;
  for (const auto& s : remotes) {
    if (!s) continue;
    if (remote_reads_failed(*s)) return kExitToolError;
    reads.push_back(s->summary());
  }
  add_remote_reads(r, std::move(reads));
  print(render(r, o.format, output_width()));
  return r.passed() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_compare(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<CompareCliOptions>();
  auto* sub = app.add_subcommand(
      "compare", "Compare quantized variants of one model: sizes, parameters, bits, memory");
  sub->add_option("dirs", opts->dirs,
                  "Model directories or hf://ORG/NAME[@REV] repositories (variants of one model)");
  sub->add_option("--root", opts->root, "Compare every subfolder of PARENT holding a config.json")
      ->type_name("PARENT");
  sub->add_option("--baseline", opts->baseline,
                  "The variant others are measured against (default: the most precise)")
      ->type_name("DIR");
  add_format_option(sub, &opts->format, "text");
  sub->add_option("--context", opts->context,
                  "Context length in tokens for the KV-cache estimate (1 to 2^40, default 8192)")
      ->type_name("TOKENS")
      ->check(whole_number(1, uint64_t{1} << 40));
  sub->add_option("--memory-budget", opts->memory_budget,
                  "Memory available at inference, with its unit: 6GB, 6GiB, 6000MB; each variant "
                  "fits or not, and by how much")
      ->type_name("SIZE");
  sub->add_flag("--fidelity", opts->fidelity,
                "Also read the weights: each variant's error against the baseline");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_remote_options(sub, &opts->remote);
  sub->callback([opts, selected] { *selected = [opts] { return run_compare(*opts); }; });
}

}  // namespace medq::cli
