// `medq compare DIR... | --root PARENT`: the quantization comparison report.
#include <memory>
#include <optional>
#include <stdexcept>

#include "commands.hpp"
#include "compare_flags.hpp"
#include "exit_codes.hpp"
#include "medq/analysis/quality_input.hpp"
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
  bool quality = false;
  std::string tokens;
  std::string text;
  uint64_t quality_context = 512;
  std::optional<uint64_t> score_from;
  bool quiet = false;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
  std::vector<std::string> labels;
  RemoteOptions remote;
  DecisionFlags decision;
  std::optional<std::string> sections;
  bool summary = false;
};

int run_compare(const CompareCliOptions& o) {
  CompareRequest request;
  if (o.summary) request.sections = compare_summary_sections();
  if (o.sections) {
    try {
      request.sections = parse_compare_sections(*o.sections);
    } catch (const std::invalid_argument& e) {
      print_error(e.what());
      return kExitToolError;
    }
  }
  std::vector<ModelLocation> locs;
  std::vector<std::shared_ptr<RemoteStorage>> remotes;  // per variant; null for a local folder
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
    // The variants under PARENT, each labelled by the shortest part of its path: its name.
    for (const CompareInput& in : discover_variants(o.root)) {
      locs.push_back({in.dir.string(), in.dir, std::nullopt});
    }
  } else {
    if (o.dirs.empty()) {
      print_error("give one or more model directories, or --root PARENT");
      return kExitToolError;
    }
    for (const auto& d : o.dirs) {
      if (is_hf_url(d)) {
        if (o.fidelity && refuse_remote(d, "--fidelity")) return kExitToolError;
        if (o.quality && refuse_remote(d, "--quality")) return kExitToolError;
        locs.push_back({d, d, std::nullopt});
        continue;
      }
      std::optional<ModelLocation> loc = model_dir(d, o.revision);
      if (!loc) return kExitToolError;
      locs.push_back(std::move(*loc));
    }
    // hf:// variants: resolved, listed and prefetched one after another (each in parallel).
    for (const auto& d : o.dirs) {
      std::shared_ptr<RemoteStorage> s;
      if (is_hf_url(d)) {
        s = open_remote_model(d, o.remote, o.revision);
        if (!s) return kExitToolError;
      }
      remotes.push_back(s);
      request.storages.push_back(s);
    }
  }
  std::optional<std::vector<std::string>> labels = labels_for(locs, o.labels);
  if (!labels) return kExitToolError;
  for (const ModelLocation& loc : locs) request.dirs.push_back(loc.dir.string());
  request.labels = std::move(*labels);
  request.model_name = model_name(label_inputs(locs));
  request.options.context = o.context;
  if (!o.memory_budget.empty()) {
    std::string why;
    request.options.memory_budget = parse_memory_budget(o.memory_budget, &why);
    if (!request.options.memory_budget) {
      print_error("--memory-budget '" + o.memory_budget + "' " + why);
      return kExitToolError;
    }
  }
  std::optional<QualityInputData> quality_input;
  if (o.quality) {
    std::string err;
    quality_input = load_quality_input(o.tokens, o.text, &err);
    if (!quality_input) {
      print_error(err);
      return kExitToolError;
    }
    request.options.quality = quality_input->view();
    request.options.quality_options.context = o.quality_context;
    request.options.quality_options.score_from = o.score_from;
  }
  request.baseline = o.baseline;
  request.criteria = o.decision.criteria;
  request.criteria.policy = o.decision.policy;
  if (o.decision.require_recommendation && request.criteria.policy.empty() &&
      !request.criteria.max_kld && !request.criteria.min_top1 && !request.criteria.max_rel_error &&
      !request.criteria.min_cosine && !request.options.memory_budget) {
    print_error("--require-recommendation needs criteria (--memory-budget, --max-kld, ...)");
    return kExitToolError;
  }
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
  if (!r.passed()) return kExitInvalid;
  return decision_exit_code(o.decision, r.recommendation);
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
  add_format_option(sub, &opts->format, "text", /*html=*/true);
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
  auto* quality = sub->add_flag(
      "--quality", opts->quality,
      "Also run the forward passes: each variant's output distribution (KL divergence, top-1 "
      "agreement, perplexity) against the baseline's (docs/quality.md)");
  auto* tokens = sub->add_option("--tokens", opts->tokens,
                                 "With --quality: token ids, whitespace-separated decimal, taken "
                                 "as given")
                     ->type_name("FILE");
  auto* text = sub->add_option("--text", opts->text,
                               "With --quality: UTF-8 text, encoded with the baseline's tokenizer "
                               "(default: the bundled evaluation text)")
                   ->type_name("FILE");
  tokens->excludes(text);
  text->excludes(tokens);
  auto* quality_context =
      sub->add_option(
             "--quality-context", opts->quality_context,
             "With --quality: tokens per chunk of the forward pass (1 to 2^20, default 512)")
          ->type_name("TOKENS")
          ->check(whole_number(1, uint64_t{1} << 20));
  auto* score_from = sub->add_option("--score-from", opts->score_from,
                                     "With --quality: first scored position of each chunk (0 to "
                                     "2^20, default: half the chunk)")
                         ->type_name("K")
                         ->check(whole_number(0, uint64_t{1} << 20));
  for (auto* o : {tokens, text, quality_context, score_from}) o->needs(quality);
  add_decision_options(sub, &opts->decision);
  auto* sections = sub->add_option_function<std::string>(
                          "--sections", [opts](const std::string& list) { opts->sections = list; },
                          "Show only these sections of the text, Markdown or HTML report, "
                          "comma-separated: decision, summary, quantization, sizes, parameters, "
                          "bits, memory, fidelity, quality, validation, architecture, tokenizer, "
                          "remote (JSON is always whole)")
                       ->type_name("LIST");
  sub->add_flag("--summary", opts->summary,
                "The first screen only: the model's name, the decision and the summary (a "
                "pull-request comment); --sections decision,summary")
      ->excludes(sections);
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_revision_option(sub, &opts->revision);
  add_label_option(sub, &opts->labels);
  add_remote_options(sub, &opts->remote);
  sub->callback([opts, selected] { *selected = [opts] { return run_compare(*opts); }; });
}

}  // namespace medq::cli
