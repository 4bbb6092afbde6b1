// What the policy's rule files share (private to policy/): a capped list of particulars, a
// result built from a verdict, a skipped rule, and the reference variant validated once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/check/validate.hpp"
#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"

namespace medq::policy_detail {

/// Adds `line` unless the list is full; counts what did not fit.
struct Details {
  std::vector<std::string> lines;
  size_t more = 0;
  void add(std::string line);
  std::vector<std::string> take();  ///< the lines, and "... and N more" when some did not fit
};

/// A passed or failed rule; the particulars are kept only when it failed.
RuleResult result(std::string id, bool pass, std::string message, Details details = {});
RuleResult skipped(std::string id, std::string message);

/// `dir` validated once (cached in `cache`); `key` names the policy key in errors. Throws
/// PolicyInputError when `dir` is not a readable directory.
const Validation& validated_reference(const std::filesystem::path& dir,
                                      std::optional<Validation>& cache, std::string_view key,
                                      bool follow_symlinks);

/// How results name the reference folder `dir`: its label when it has one, else its path.
std::string reference_name(const std::filesystem::path& dir, const EvalOptions& options);

/// The fidelity rules of `medq check`: measures `model` against the policy's reference (validated
/// into `reference`, shared with the tokenizer rule) and judges the thresholds
/// (fidelity_rules.cpp).
void fidelity_rules(const FidelityPolicy& p, const Validation& model,
                    std::optional<Validation>& reference, const EvalOptions& options,
                    std::vector<RuleResult>& out);

/// The quality rules of `medq check`: runs the forward passes of `model` and the reference on the
/// policy's input and judges the thresholds; sets e.quality (quality_rules.cpp).
void quality_rules(const Policy& policy, const Validation& model, bool model_valid,
                   std::optional<Validation>& fidelity_ref, const EvalOptions& options,
                   PolicyEvaluation& e);

}  // namespace medq::policy_detail
