// The limit rules of a policy (limits.max_weight_bytes, max_directory_bytes, max_memory_bytes):
// sizes and the estimated memory at inference against upper bounds. `medq check` judges the
// model's snapshot; `medq compare` each variant's numbers.
#pragma once

#include <string>
#include <vector>

#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"
#include "medq/policy/snapshot.hpp"

namespace medq {

/// The limits of `l` judged on `s` (only its weight_bytes, directory_bytes, context_tokens,
/// kv_cache_bytes and memory_bytes are read), in policy_rules() order. `no_weights`, when not
/// empty, says why the weights cannot be measured: the weight and memory rules are then skipped
/// with that reason. A memory limit fails when the KV cache is unknown.
std::vector<RuleResult> judge_limits(const LimitsPolicy& l, const ModelSnapshot& s,
                                     const std::string& no_weights = "");

}  // namespace medq
