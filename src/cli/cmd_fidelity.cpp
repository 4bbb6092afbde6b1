// `medq fidelity DIR... [--reference DIR]`: how far each variant's weights are from the
// reference's, measured from the data.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/analysis/fidelity.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/check/validate.hpp"
#include "medq/report/fidelity_report.hpp"
#include "progress.hpp"

namespace medq::cli {
namespace {

namespace fs = std::filesystem;

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
  std::vector<std::string> all = o.dirs;
  if (!o.reference.empty()) all.push_back(o.reference);
  for (const auto& d : all) {
    if (!require_directory(d)) return kExitToolError;
  }
  // Validate every directory once (headers and small files only).
  ScanOptions scan;
  scan.follow_symlinks = o.follow_symlinks;
  std::vector<Validation> vals;
  for (const auto& d : o.dirs) vals.push_back(validate_model(d, scan));
  size_t ref_index = 0;
  std::optional<Validation> ref_own;
  std::string ref_label;
  if (!o.reference.empty()) {
    auto it = std::find_if(o.dirs.begin(), o.dirs.end(), [&](const std::string& d) {
      std::error_code ec;
      return d == o.reference || fs::equivalent(d, o.reference, ec);
    });
    if (it != o.dirs.end()) {
      ref_index = static_cast<size_t>(it - o.dirs.begin());
    } else {
      ref_own = validate_model(o.reference, scan);
      ref_index = o.dirs.size();
    }
    ref_label = o.reference;
  } else {
    // The most precise variant: highest bits per weight over the whole model.
    double best = -1;
    for (size_t i = 0; i < vals.size(); ++i) {
      auto b = analyze_variant(vals[i], o.dirs[i]).bits_per_weight.value_or(0);
      if (b > best) {
        best = b;
        ref_index = i;
      }
    }
    ref_label = o.dirs[ref_index];
  }
  const Validation& ref = ref_own ? *ref_own : vals[ref_index];

  std::vector<std::pair<std::string, size_t>> errors;
  std::vector<VariantFidelity> results;
  for (size_t i = 0; i < vals.size(); ++i) {
    errors.emplace_back(o.dirs[i], count_severity(vals[i].findings, Severity::kError));
    if (!ref_own && i == ref_index) continue;
    Progress progress("comparing " + o.dirs[i], o.quiet);
    FidelityOptions fo;
    fo.threads = o.threads;
    fo.progress = progress.callback();
    results.push_back(measure_fidelity(ref, vals[i], ref_label, o.dirs[i], fo));
  }
  if (ref_own) errors.emplace_back(ref_label, count_severity(ref_own->findings, Severity::kError));
  if (results.empty()) {
    print_error("nothing to compare: give at least one variant besides the reference");
    return kExitToolError;
  }
  FidelityReport r = build_fidelity_report(std::move(results), std::move(errors), o.top,
                                           o.format == OutputFormat::kMarkdown);
  print(render(r, o.format));
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
  add_format_option(sub, &opts->format, "text");
  sub->add_option("--top", opts->top, "Worst tensors listed per variant (default 10)");
  sub->add_option("--threads", opts->threads, "Worker threads (default: one per core)");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected] { *selected = [opts] { return run_fidelity(*opts); }; });
}

}  // namespace medq::cli
