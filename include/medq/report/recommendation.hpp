// The decision of `medq compare`: the criteria a team gives (--memory-budget, --max-kld,
// --min-top1, --max-rel-error, --min-cosine, or a policy file in `medq check`'s format), every
// variant judged by the policy's own rules (policy/limit_rules, fidelity_rules, quality_rules) on
// what compare measured, and the smallest variant that meets every criterion (docs/compare.md).
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "medq/analysis/comparison.hpp"
#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"
#include "medq/report/sections.hpp"

namespace medq {

/// The criteria as the command line gives them (the memory budget is CompareOptions's).
struct CriteriaRequest {
  std::optional<double> max_kld;        ///< --max-kld: quality.max_mean_kld
  std::optional<double> min_top1;       ///< --min-top1: quality.min_top1_agreement (a fraction)
  std::optional<double> max_rel_error;  ///< --max-rel-error: fidelity.max_relative_error
  std::optional<double> min_cosine;     ///< --min-cosine: fidelity.min_cosine
  std::filesystem::path policy;         ///< --policy FILE; empty for none
};

/// One criterion: a policy rule, and how the decision names it.
struct Criterion {
  std::string rule;        ///< "limits.max_memory_bytes", "quality.max_mean_kld", ...
  std::string source;      ///< the flag ("--memory-budget", "--max-kld", ...) or "policy"
  std::string name;        ///< what is measured, short: "memory", "mean KLD", "same top-1"
  bool at_most = true;     ///< the value must be <= limit (else >=)
  double limit = 0;        ///< in the value's unit: bytes, nats, a fraction, a ratio
  std::string limit_text;  ///< "6 GiB", "0.02", "90.00%"
  std::string phrase;      ///< "fits 6 GiB", "mean KLD ≤ 0.02"
};

struct CompareCriteria {
  /// The thresholds as one policy: the policy file's, with each flag replacing its key.
  Policy policy;
  std::string policy_file;          ///< as given; "" without --policy
  std::vector<Criterion> criteria;  ///< in policy_rules() order
  /// Rules of the policy file compare does not judge (findings, quantization, integrity,
  /// tokenizer, baseline: `medq check` does), in policy_rules() order.
  std::vector<std::string> not_evaluated;
  std::optional<MemoryBudget> budget;  ///< --memory-budget, when it is the memory criterion
};

/// Reads the policy file (if any), merges the flags and checks that compare measures what the
/// criteria need, before anything is measured. A policy naming a reference variant
/// (fidelity.reference, quality.reference) makes it the baseline: `baseline` is set to its label
/// when empty, and must be the same variant when not. Throws std::invalid_argument, naming the
/// flag or key, when the policy cannot be read, a criterion's measurement is not requested
/// (--max-kld without --quality, --max-rel-error without --fidelity), the reference is not one
/// of `inputs`, or the policy's quality input is not the one --quality runs.
CompareCriteria make_criteria(const CriteriaRequest& request, const CompareOptions& options,
                              std::span<const CompareInput> inputs, std::string& baseline);

/// One variant against the criteria.
struct VariantJudgement {
  /// "validation" first (a variant with errors never meets the criteria), then one result per
  /// criterion, in order; kSkipped where the measurement is missing (a variant not evaluated).
  std::vector<RuleResult> results;
  bool meets() const;  ///< every result passed
};

struct Recommendation {
  std::vector<Criterion> criteria;  ///< empty: no criteria were given, no recommendation
  std::vector<std::string> not_evaluated;
  std::string policy_file;
  std::optional<MemoryBudget> budget;
  uint64_t context = 0;                    ///< tokens of the memory estimate that ranks variants
  std::vector<VariantJudgement> variants;  ///< per comparison variant, in its order
  /// Index into the comparison's variants: of those that meet every criterion, the smallest by
  /// estimated memory at inference, then by tensor data, then the more precise.
  std::optional<size_t> recommended;
  /// "Recommended: `6bit` — ...", "No variant meets the criteria: ...", or "No recommendation:
  /// ..." (no criteria given; the variants are not one model).
  RichText sentence;
};

/// Judges every variant of `c` on `k`'s criteria and picks the recommended one. The baseline
/// meets the error criteria by definition (it is what the others are measured against: error 0,
/// cosine 1, KLD 0, same top-1 100%, PPL ratio 1); variants that are not one model
/// (`compare.different_models`) get no recommendation.
Recommendation recommend(const Comparison& c, const CompareCriteria& k);

/// The criterion's measured value as the decision shows it ("5.81 MB", "0.0037", "93.75%").
std::string criterion_value(const Criterion& k, double value,
                            const std::optional<MemoryBudget>& budget);

/// The report's "Decision" section: the sentence, and with criteria a table of every variant's
/// measured value per criterion, pass or FAIL, and its verdict; those cells marked (CellMark:
/// pass, fail, not evaluated where not measured), which the HTML page colours.
ReportSection decision_section(const Recommendation& r, const Comparison& c);

}  // namespace medq
