// The quality rules of a policy (quality.max_mean_kld, max_kld_p99, min_top1_agreement,
// max_ppl_ratio): thresholds on the output distribution of a model against a reference's, as the
// forward passes of `medq quality` measure it. `medq check` runs and judges; `medq compare`
// judges what it measured with --quality.
#pragma once

#include <string>
#include <vector>

#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"
#include "medq/quality/quality.hpp"

namespace medq {

/// The thresholds of `q` judged on the model's numbers `v` from the run `run` (its scored
/// positions and the reference's perplexity), in policy_rules() order. `of` opens every message
/// ("against bf16 on the bundled text (256 scored positions):"; "" for none); `details` are the
/// particulars of a failed rule (what exactly was measured).
std::vector<RuleResult> judge_quality(const QualityPolicy& q, const VariantQuality& v,
                                      const QualityResult& run, const std::string& of,
                                      const std::vector<std::string>& details = {});

/// The 99th percentile of a KLD distribution (its maximum when it has no such percentile).
double kld_p99(const Distribution& d);

}  // namespace medq
