// `medq compare DIR... | --root PARENT`: the quantization comparison report.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/analysis/comparison.hpp"
#include "medq/analysis/memory.hpp"
#include "medq/report/compare_report.hpp"
#include "progress.hpp"

namespace medq::cli {
namespace {

namespace fs = std::filesystem;

struct CompareCliOptions {
  std::vector<std::string> dirs;
  std::string root;
  std::string baseline;
  OutputFormat format = OutputFormat::kMarkdown;
  uint64_t context = 8192;
  std::string memory_budget;
  bool fidelity = false;
  bool quiet = false;
  bool follow_symlinks = false;
};

int run_compare(const CompareCliOptions& o) {
  std::vector<CompareInput> inputs;
  if (!o.root.empty()) {
    if (!o.dirs.empty()) {
      print_error("give either model directories or --root, not both");
      return kExitToolError;
    }
    if (!require_directory(o.root)) return kExitToolError;
    std::error_code ec;
    std::vector<std::string> subs;
    for (fs::directory_iterator it(o.root, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      // Real subdirectories only: a symlink could lead anywhere.
      if (it->is_directory(e2) && !it->is_symlink(e2) &&
          fs::is_regular_file(it->path() / "config.json", e2)) {
        subs.push_back(it->path().filename().string());
      }
    }
    if (ec) {
      print_error("cannot list '" + o.root + "': " + ec.message());
      return kExitToolError;
    }
    std::sort(subs.begin(), subs.end());
    // Labelled by subfolder name: the report reads "4bit", not "/long/path/4bit".
    for (const auto& s : subs) inputs.push_back({s, fs::path(o.root) / s});
    if (inputs.empty()) {
      print_error("no subfolder of '" + o.root + "' holds a config.json");
      return kExitToolError;
    }
  } else {
    if (o.dirs.empty()) {
      print_error("give one or more model directories, or --root PARENT");
      return kExitToolError;
    }
    for (const auto& d : o.dirs) {
      if (!require_directory(d)) return kExitToolError;
      inputs.push_back({d, d});
    }
  }

  CompareOptions opts;
  opts.context = o.context;
  if (!o.memory_budget.empty()) {
    opts.memory_budget = parse_byte_size(o.memory_budget);
    if (!opts.memory_budget) {
      print_error("--memory-budget '" + o.memory_budget +
                  "' is not a size (examples: 8GB, 7.5GiB, 6000MB)");
      return kExitToolError;
    }
  }
  if (!o.baseline.empty()) {
    // Match by path identity, so "./x" and "x" name the same variant.
    for (const auto& in : inputs) {
      std::error_code ec;
      if (in.label == o.baseline || fs::equivalent(in.dir, o.baseline, ec)) {
        opts.baseline = in.label;
        break;
      }
    }
    if (!opts.baseline) {
      print_error("--baseline '" + o.baseline + "' is not one of the compared directories");
      return kExitToolError;
    }
  }

  opts.fidelity = o.fidelity;
  opts.follow_symlinks = o.follow_symlinks;
  Progress progress("measuring fidelity", o.quiet);
  opts.progress = progress.callback();
  Comparison c = compare_models(inputs, opts);
  CompareReport r = build_compare_report(std::move(c), o.format == OutputFormat::kMarkdown);
  print(render(r, o.format));
  return r.all_valid() ? kExitOk : kExitInvalid;
}

}  // namespace

void register_compare(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<CompareCliOptions>();
  auto* sub = app.add_subcommand(
      "compare", "Compare quantized variants of one model: sizes, parameters, bits, memory");
  sub->add_option("dirs", opts->dirs, "Model directories (variants of one model)");
  sub->add_option("--root", opts->root, "Compare every subfolder of PARENT holding a config.json")
      ->type_name("PARENT");
  sub->add_option("--baseline", opts->baseline,
                  "The variant others are measured against (default: the most precise)")
      ->type_name("DIR");
  add_format_option(sub, &opts->format, "md");
  sub->add_option("--context", opts->context, "Context length in tokens for the KV cache")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->default_val(8192);
  sub->add_option("--memory-budget", opts->memory_budget,
                  "Memory available at inference, e.g. 6GB; each variant fits or not")
      ->type_name("SIZE");
  sub->add_flag("--fidelity", opts->fidelity,
                "Also read the weights: each variant's error against the baseline");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_compare(*opts); }; });
}

}  // namespace medq::cli
