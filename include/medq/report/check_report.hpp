// What `medq check` reports: the verdict (pass, the model is invalid, or the policy failed), one
// result per policy rule, what was measured of the model (the block a later release's baseline
// reads), and the validation findings. Plain data and its text, Markdown, JSON renderings
// and HTML (docs/ci.md, docs/json.md#medq-check); JUnit XML and GitHub annotations have their own
// files.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"
#include "medq/policy/snapshot.hpp"
#include "medq/report/validate_report.hpp"
#include "medq/util/progress.hpp"

namespace medq {

enum class CheckVerdict : uint8_t {
  kPass,          ///< the model is valid and every rule passed (exit 0)
  kInvalid,       ///< validation found errors (exit 1), whatever the rules say
  kPolicyFailed,  ///< the model is valid but a rule failed (exit 3)
};

/// "pass", "invalid", "policy_failed".
std::string_view check_verdict_name(CheckVerdict v);
/// The exit code of the verdict: 0, 1 or 3 (README "Exit codes").
int check_verdict_exit_code(CheckVerdict v);

struct CheckReport {
  std::string target;  ///< the directory as given
  std::string policy;  ///< the policy file as given
  ValidateReport validation;
  PolicyEvaluation evaluation;
  ModelSnapshot model;
  /// The policy's findings.allow patterns: allowed warnings are not annotated.
  std::vector<std::string> allow;

  CheckVerdict verdict() const;
};

struct CheckRequest {
  std::string dir;            ///< the model directory; an existing directory
  std::string target;         ///< how the report names it (empty: `dir`)
  std::string policy;         ///< the policy file, as given
  PolicyOverrides overrides;  ///< --baseline, --reference, --manifest
  unsigned threads = 0;       ///< 0 = one per core
  bool follow_symlinks = false;
  std::string reference_label;  ///< how results name overrides.reference (empty: its path)
  /// Where the model's bytes are when `dir` is not a local folder (a remote repository): only
  /// the rules that need no tensor data can run then (run_check refuses the others).
  std::shared_ptr<const Storage> storage;
  /// Steps "scanning tensor data" (when the policy asks for the deep scan), "checking the policy".
  StepProgressFn progress;
};

/// `medq check` as one call: reads the policy and applies the overrides, validates the model
/// (and scans its data when the policy asks), evaluates every rule. Throws std::runtime_error
/// (PolicyInputError among them) when the policy cannot be read or used, or an input it names
/// cannot be read: a usage error, not a verdict.
CheckReport run_check(const CheckRequest& request);

std::string render_text(const CheckReport& r);
std::string render_markdown(const CheckReport& r);
std::string render_json(const CheckReport& r);
/// One self-contained page (html_page.hpp): the model, the verdict, the rules with their status
/// coloured and marked (pass, FAIL, skipped: not evaluated), the details of failed rules, the
/// findings.
std::string render_html(const CheckReport& r);

}  // namespace medq
