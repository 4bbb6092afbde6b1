// The fidelity rules of a policy (fidelity.min_cosine, fidelity.max_relative_error and their
// per-component forms): thresholds on a weight-space measurement of a model against a reference
// (analysis/fidelity.hpp). `medq check` measures and judges; `medq compare` judges what it
// measured with --fidelity.
#pragma once

#include <string>
#include <vector>

#include "medq/analysis/fidelity.hpp"
#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"

namespace medq {

/// The thresholds of `p` judged on `f`, in policy_rules() order: the overall mean cosine and
/// relative error, then per model part. `against` opens every message ("against bf16:"; "" for
/// none). A tensor that could not be read fails the overall rules; a part with nothing measured
/// fails its rules.
std::vector<RuleResult> judge_fidelity(const FidelityPolicy& p, const VariantFidelity& f,
                                       const std::string& against);

}  // namespace medq
