#include "compare_flags.hpp"

#include <limits>

#include "exit_codes.hpp"

namespace medq::cli {

void add_decision_options(CLI::App* sub, DecisionFlags* flags) {
  constexpr double kMax = std::numeric_limits<double>::max();
  CriteriaRequest& c = flags->criteria;
  sub->add_option("--max-kld", c.max_kld,
                  "Criterion (with --quality): mean KL divergence against the baseline at most X "
                  "nats (policy quality.max_mean_kld)")
      ->type_name("X")
      ->check(CLI::Range(0.0, kMax));
  sub->add_option("--min-top1", c.min_top1,
                  "Criterion (with --quality): the same top-1 token as the baseline at at least "
                  "the fraction F (0 to 1) of positions (policy quality.min_top1_agreement)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--max-rel-error", c.max_rel_error,
                  "Criterion (with --fidelity): the weights' mean relative RMS error at most X "
                  "(policy fidelity.max_relative_error)")
      ->type_name("X")
      ->check(CLI::Range(0.0, kMax));
  sub->add_option("--min-cosine", c.min_cosine,
                  "Criterion (with --fidelity): the weights' mean cosine at least C (-1 to 1; "
                  "policy fidelity.min_cosine)")
      ->type_name("C")
      ->check(CLI::Range(-1.0, 1.0));
  sub->add_option("--policy", flags->policy,
                  "Criteria from a policy file in medq check's format (docs/ci.md): its limits, "
                  "fidelity and quality rules; a flag replaces the file's value")
      ->type_name("FILE");
  sub->add_flag("--require-recommendation", flags->require_recommendation,
                "Exit 3 when no variant meets the criteria");
}

int decision_exit_code(const DecisionFlags& flags, const Recommendation& r) {
  return flags.require_recommendation && !r.criteria.empty() && !r.recommended ? kExitPolicyFailed
                                                                               : kExitOk;
}

}  // namespace medq::cli
