// `medq quality --reference DIR DIR... [--tokens FILE | --text FILE]`: how far each variant's
// next-token distributions are from the reference's, from a float32 forward pass of each.
#include <memory>
#include <optional>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/analysis/quality_input.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/report/quality_report.hpp"
#include "medq/util/units.hpp"
#include "progress.hpp"

namespace medq::cli {
namespace {

struct QualityCliOptions {
  std::vector<std::string> dirs;
  std::string reference;
  std::string tokens;
  std::string text;
  uint64_t context = 512;
  std::optional<uint64_t> score_from;
  OutputFormat format = OutputFormat::kText;
  unsigned threads = 0;
  bool quiet = false;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
  std::vector<std::string> labels;
};

int run_quality_cmd(const QualityCliOptions& o) {
  if (o.reference.empty()) {
    print_error("give the reference variant: --reference DIR");
    return kExitToolError;
  }
  if (o.dirs.empty()) {
    print_error("give one or more variant directories to measure against the reference");
    return kExitToolError;
  }
  std::vector<ModelLocation> locs;  // the reference first
  std::vector<std::string> args = {o.reference};
  args.insert(args.end(), o.dirs.begin(), o.dirs.end());
  for (const auto& d : args) {
    std::optional<ModelLocation> loc = model_dir(d, o.revision);
    if (!loc) return kExitToolError;
    locs.push_back(std::move(*loc));
  }
  std::optional<std::vector<std::string>> labels = labels_for(locs, o.labels);
  if (!labels) return kExitToolError;
  const std::string reference = locs.front().dir.string();
  std::vector<std::string> dirs;
  for (size_t i = 1; i < locs.size(); ++i) dirs.push_back(locs[i].dir.string());
  std::string err;
  const std::optional<QualityInputData> input = load_quality_input(o.tokens, o.text, &err);
  if (!input) {
    print_error(err);
    return kExitToolError;
  }
  QualityOptions qo;
  qo.context = o.context;
  qo.score_from = o.score_from;
  qo.threads = o.threads;
  std::unique_ptr<Progress> progress;
  std::string current;
  qo.progress = [&](const std::string& label, uint64_t done, uint64_t total) {
    if (label != current) {
      progress = std::make_unique<Progress>("running " + label, o.quiet);
      current = label;
    }
    progress->update(done, total);
  };
  ScanOptions scan;
  scan.follow_symlinks = o.follow_symlinks;
  const QualityInput in = input->view();
  QualityRun run = in.text ? run_quality_text(reference, dirs, *in.text, in.source, in.bundled, qo,
                                              scan, *labels)
                           : run_quality(reference, dirs, in.tokens, qo, scan, *labels);
  progress.reset();
  if (!run.all_valid()) {
    for (size_t i = 0; i < run.validation_errors.size() && i < locs.size(); ++i) {
      const auto& [label, errors] = run.validation_errors[i];
      if (errors)
        print_error(label + ": " + count_noun(errors, "validation error") +
                    "; not evaluated (medq validate " + locs[i].given + ")");
    }
    return kExitInvalid;
  }
  if (!run.outcome.result) {
    print_error(run.outcome.message);
    return kExitToolError;
  }
  QualityReport r = build_quality_report(std::move(run));
  r.model_name = model_name(label_inputs(locs));
  print(render(r, o.format, output_width()));
  return kExitOk;
}

}  // namespace

void register_quality(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<QualityCliOptions>();
  auto* sub = app.add_subcommand(
      "quality", "Measure how far each variant's output distribution is from a reference's");
  sub->add_option("dirs", opts->dirs, "Variant model directories");
  sub->add_option("--reference", opts->reference, "The reference variant")->type_name("DIR");
  auto* tokens = sub->add_option("--tokens", opts->tokens,
                                 "Token ids, whitespace-separated decimal, taken as given")
                     ->type_name("FILE");
  auto* text = sub->add_option("--text", opts->text,
                               "UTF-8 text, encoded with the reference's tokenizer (default: "
                               "the bundled evaluation text)")
                   ->type_name("FILE");
  tokens->excludes(text);
  text->excludes(tokens);
  sub->add_option("--context", opts->context, "Tokens per chunk (1 to 2^20, default 512)")
      ->type_name("TOKENS")
      ->check(whole_number(1, uint64_t{1} << 20));
  sub->add_option("--score-from", opts->score_from,
                  "First scored position of each chunk (0 to 2^20, default: half the chunk)")
      ->type_name("K")
      ->check(whole_number(0, uint64_t{1} << 20));
  add_format_option(sub, &opts->format, "text");
  add_threads_option(sub, &opts->threads, "Worker threads");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_revision_option(sub, &opts->revision);
  add_label_option(sub, &opts->labels);
  sub->callback([opts, selected] { *selected = [opts] { return run_quality_cmd(*opts); }; });
}

}  // namespace medq::cli
