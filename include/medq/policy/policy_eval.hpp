// Evaluating a policy against a validated model: one result per rule (policy_rules()), each with
// a one-line verdict saying what was measured against what, and the particulars (findings,
// tensors, files) when it failed. Reads the reference variant, the manifest and the baseline
// report the policy names; any of those that cannot be used is a usage error (PolicyInputError),
// not a failed rule.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "medq/analysis/quality_run.hpp"
#include "medq/check/validate.hpp"
#include "medq/policy/policy.hpp"
#include "medq/policy/snapshot.hpp"

namespace medq {

enum class RuleStatus : uint8_t { kPass, kFail, kSkipped };

std::string_view rule_status_name(RuleStatus s);  // "pass", "fail", "skipped"

/// Details listed per failed rule, at most (the message gives the total).
inline constexpr size_t kMaxRuleDetails = 20;

struct RuleResult {
  std::string id;  ///< "validation", "limits.max_weight_bytes", ...
  RuleStatus status = RuleStatus::kPass;
  std::string message;               ///< one line: what was measured, against what
  std::vector<std::string> details;  ///< at most kMaxRuleDetails lines (and "... N more")
  /// The number the rule compared with its threshold (bytes, a ratio, a fraction), when it
  /// compared one: what `medq compare`'s decision shows per variant.
  std::optional<double> value;
};

/// What the quality rules measured: the model against the reference on the policy's input.
struct PolicyQuality {
  std::string reference;            ///< the reference directory, as the policy or flag gives it
  QualityResult result;             ///< result.variants holds the model's numbers, one entry
  std::optional<QualityText> text;  ///< when the input was a text
  std::optional<std::string> tokens_file;  ///< when the input was token ids (as resolved)
};

struct PolicyEvaluation {
  std::vector<RuleResult> rules;  ///< "validation" first, then policy_rules() order
  bool model_valid = true;        ///< validation found no error
  /// Set when quality rules were evaluated (not when they were skipped).
  std::optional<PolicyQuality> quality;

  size_t count(RuleStatus s) const;
};

/// A policy input (reference directory, manifest, baseline report) that cannot be used.
struct PolicyInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EvalOptions {
  unsigned threads = 0;          ///< fidelity and manifest hashing; 0 = one per core
  bool follow_symlinks = false;  ///< for the reference folder and the manifest scan
  /// The name results give the reference folder `reference_dir` ("against bf16"): its label
  /// (variant_labels). Other folders, and this one without a label, are named by their path.
  std::filesystem::path reference_dir;
  std::string reference_label;
  /// Progress of the long steps (fidelity, hashing for the manifest); may be null.
  std::function<void(uint64_t done, uint64_t total)> progress;
  /// Progress of the quality rules' forward passes: the model being run (its directory as
  /// given), done / total steps; may be null.
  std::function<void(const std::string& label, uint64_t done, uint64_t total)> quality_progress;
};

/// Evaluates `policy` (overrides applied, policy_usage_problem() empty) on `model`, whose
/// findings are final (deep scan included when the policy asks for it), measured in `snapshot`.
/// Throws PolicyInputError when an input the policy names cannot be read.
PolicyEvaluation evaluate_policy(const Policy& policy, const Validation& model,
                                 const ModelSnapshot& snapshot, const EvalOptions& options = {});

}  // namespace medq
