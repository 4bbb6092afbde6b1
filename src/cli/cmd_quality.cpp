// `medq quality --reference DIR DIR... [--tokens FILE | --text FILE]`: how far each variant's
// next-token distributions are from the reference's, from a float32 forward pass of each.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/quality/eval_text.hpp"
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

/// Whitespace-separated decimal token ids; false with a message naming the bad one.
bool read_tokens(const std::string& path, std::vector<uint32_t>& out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = "cannot read " + path;
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i == s.size()) break;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + j, v);
    if (ec != std::errc() || p != s.data() + j) {
      *err = path + ": token " + std::to_string(out.size() + 1) + " '" +
             s.substr(i, std::min<size_t>(j - i, 40)) + "' is not a decimal token id below 2^32";
      return false;
    }
    out.push_back(v);
    i = j;
  }
  if (out.empty()) {
    *err = path + ": no token ids";
    return false;
  }
  return true;
}

/// The largest --text file: far more than an evaluation needs (the bundled text is 30 KB), small
/// enough that the tokens and hidden states of its chunks stay in memory.
constexpr uintmax_t kMaxTextBytes = uintmax_t{64} << 20;

bool read_text(const std::string& path, std::string& out, std::string* err) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) {
    *err = "cannot read '" + path + "'";
    return false;
  }
  if (size > kMaxTextBytes) {
    *err = "'" + path + "' (" + human_bytes(size) +
           ") is larger than 64 MiB, the limit for --text; give a shorter evaluation text";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  if (out.empty()) {
    *err = "'" + path + "' is empty";
    return false;
  }
  return true;
}

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
  std::vector<uint32_t> tokens;
  std::string text;
  std::string err;
  if (!o.tokens.empty() && !read_tokens(o.tokens, tokens, &err)) {
    print_error(err);
    return kExitToolError;
  }
  if (!o.text.empty() && !read_text(o.text, text, &err)) {
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
  QualityRun run;
  if (!o.tokens.empty())
    run = run_quality(reference, dirs, tokens, qo, scan, *labels);
  else if (!o.text.empty())
    run = run_quality_text(reference, dirs, text, o.text, false, qo, scan, *labels);
  else
    run = run_quality_text(reference, dirs, bundled_eval_text(), std::string(kBundledEvalTextName),
                           true, qo, scan, *labels);
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
