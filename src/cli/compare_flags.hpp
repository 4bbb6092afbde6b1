// The flags of `medq compare` that shape its decision: the criteria (--max-kld, --min-top1,
// --max-rel-error, --min-cosine, --policy) and --require-recommendation. Kept apart from
// cmd_compare.cpp, which registers them.
#pragma once

#include <CLI/CLI.hpp>

#include "medq/report/recommendation.hpp"

namespace medq::cli {

struct DecisionFlags {
  CriteriaRequest criteria;
  std::string policy;
  bool require_recommendation = false;
};

/// Adds the criteria and --require-recommendation to `sub`, writing into `*flags`.
void add_decision_options(CLI::App* sub, DecisionFlags* flags);

/// The exit code the decision adds: 3 (as `medq check`'s failed policy) when
/// --require-recommendation was given, criteria were and no variant meets them; else 0.
int decision_exit_code(const DecisionFlags& flags, const Recommendation& r);

}  // namespace medq::cli
