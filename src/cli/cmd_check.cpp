// `medq check DIR --policy FILE`: the CI gate. Validates the model, evaluates the policy's rules
// and says yes or no for stated reasons: exit 0 pass, 1 the model is invalid, 3 the policy
// failed, 2 usage or tool error. Optionally writes JUnit XML and Markdown and HTML copies of the
// report, and GitHub annotations under GitHub Actions.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/check_report.hpp"
#include "medq/report/github_annotations.hpp"
#include "medq/report/junit.hpp"
#include "medq/report/render.hpp"
#include "progress.hpp"
#include "remote_model.hpp"

namespace medq::cli {
namespace {

struct CheckCliOptions {
  std::string dir;
  std::string policy;
  std::string baseline;
  std::string reference;
  std::string manifest;
  std::string junit;
  std::string markdown;
  std::string html;
  OutputFormat format = OutputFormat::kText;
  unsigned threads = 0;
  bool quiet = false;
  bool follow_symlinks = false;
  std::optional<std::string> revision;
  std::vector<std::string> labels;
  RemoteOptions remote;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

bool under_github_actions() {
  const char* v = std::getenv("GITHUB_ACTIONS");
  return v && std::strcmp(v, "true") == 0;
}

int run_check(const CheckCliOptions& o) {
  CheckRequest request;
  std::shared_ptr<RemoteStorage> remote;
  std::vector<ModelLocation> locs;
  if (is_hf_url(o.dir)) {
    remote = open_remote_model(o.dir, o.remote, o.revision);
    if (!remote) return kExitToolError;
    request.storage = remote;
    locs.push_back({o.dir, o.dir, std::nullopt});
  } else {
    std::optional<ModelLocation> loc = model_dir(o.dir, o.revision);
    if (!loc) return kExitToolError;
    locs.push_back(std::move(*loc));
  }
  if (!o.reference.empty()) {
    std::optional<ModelLocation> ref = model_dir(o.reference, o.revision);
    if (!ref) return kExitToolError;
    locs.push_back(std::move(*ref));
  }
  std::optional<std::vector<std::string>> labels = labels_for(locs, o.labels);
  if (!labels) return kExitToolError;
  request.dir = locs.front().dir.string();
  request.target = o.dir;
  request.policy = o.policy;
  if (!o.baseline.empty()) request.overrides.baseline = o.baseline;
  if (!o.reference.empty()) {
    request.overrides.reference = locs.back().dir;
    request.reference_label = labels->back();
  }
  if (!o.manifest.empty()) request.overrides.manifest = o.manifest;
  request.threads = o.threads;
  request.follow_symlinks = o.follow_symlinks;
  StepProgress progress(o.quiet);
  request.progress = progress.callback();
  CheckReport r = medq::run_check(request);
  progress.finish();
  if (remote) {
    if (remote_reads_failed(*remote)) return kExitToolError;
    r.validation.remote = remote->summary();
  }

  if (under_github_actions()) {
    // Workflow commands go to stdout; with a JSON report on stdout they go to stderr, which the
    // runner reads as well, so that the report stays parseable.
    std::string annotations = render_github_annotations(r);
    if (o.format == OutputFormat::kJson) {
      std::fwrite(annotations.data(), 1, annotations.size(), stderr);
    } else {
      print(annotations);
    }
  }
  print(render(r, o.format));
  if (!o.junit.empty() && !write_file(o.junit, render_junit(r))) {
    print_error("cannot write the JUnit report '" + o.junit + "'");
    return kExitToolError;
  }
  if (!o.markdown.empty() && !write_file(o.markdown, render(r, OutputFormat::kMarkdown))) {
    print_error("cannot write the Markdown report '" + o.markdown + "'");
    return kExitToolError;
  }
  if (!o.html.empty() && !write_file(o.html, render(r, OutputFormat::kHtml))) {
    print_error("cannot write the HTML report '" + o.html + "'");
    return kExitToolError;
  }
  return check_verdict_exit_code(r.verdict());
}

}  // namespace

void register_check(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<CheckCliOptions>();
  auto* sub = app.add_subcommand(
      "check", "The CI gate: validate a model and evaluate a release policy (exit 0, 1 or 3)");
  sub->add_option("dir", opts->dir, "The model directory, or hf://ORG/NAME[@REV]")->required();
  sub->add_option("--policy", opts->policy, "The policy file (docs/ci.md)")
      ->required()
      ->type_name("FILE");
  sub->add_option("--baseline", opts->baseline,
                  "A previous release's `medq check --format json` report (policy baseline.report)")
      ->type_name("REPORT.json");
  sub->add_option("--reference", opts->reference,
                  "The reference variant for fidelity and tokenizer rules")
      ->type_name("DIR");
  sub->add_option("--manifest", opts->manifest,
                  "A manifest the directory must verify against (policy integrity.manifest)")
      ->type_name("FILE");
  add_format_option(sub, &opts->format, "text", /*html=*/true);
  sub->add_option("--junit", opts->junit, "Also write the verdict as JUnit XML to FILE")
      ->type_name("FILE");
  sub->add_option("--markdown", opts->markdown,
                  "Also write the report as Markdown to FILE (a pull-request comment, a CI "
                  "job summary)")
      ->type_name("FILE");
  sub->add_option("--html", opts->html,
                  "Also write the report as one self-contained HTML page to FILE (a CI artifact)")
      ->type_name("FILE");
  add_threads_option(sub, &opts->threads, "Worker threads");
  sub->add_flag("--quiet", opts->quiet, "No progress line on stderr");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  add_revision_option(sub, &opts->revision);
  add_label_option(sub, &opts->labels);
  add_remote_options(sub, &opts->remote);
  sub->callback([opts, selected] { *selected = [opts] { return run_check(*opts); }; });
}

}  // namespace medq::cli
