#include "medq/policy/quality_rules.hpp"

#include <fmt/format.h>

#include "medq/analysis/quality_input.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/util/units.hpp"
#include "rule_builder.hpp"

namespace medq {

namespace fs = std::filesystem;

namespace {

using policy_detail::Details;
using policy_detail::result;

std::string qnum(double v) { return fmt::format("{:.4g}", v); }
std::string qpct(double v) { return fmt::format("{:.2f}%", 100.0 * v); }

/// The reference validated (shared with the fidelity rules when it is the same directory).
const Validation& quality_reference_validation(const fs::path& dir, const Policy& policy,
                                               std::optional<Validation>& fidelity_ref,
                                               std::optional<Validation>& own,
                                               bool follow_symlinks) {
  if (fidelity_ref && policy.fidelity && policy.fidelity->reference == dir) return *fidelity_ref;
  return policy_detail::validated_reference(dir, own, "policy.quality.reference", follow_symlinks);
}

}  // namespace

double kld_p99(const Distribution& d) {
  for (const auto& [p, v] : d.percentiles)
    if (p == 99.0) return v;
  return d.max;
}

std::vector<RuleResult> judge_quality(const QualityPolicy& q, const VariantQuality& v,
                                      const QualityResult& run, const std::string& of,
                                      const std::vector<std::string>& details) {
  std::vector<RuleResult> out;
  auto add = [&](const std::string& id, double value, bool pass, const std::string& what) {
    Details d;
    for (const auto& line : details) d.add(line);
    out.push_back(result(id, pass, of.empty() ? what : of + " " + what, std::move(d)));
    out.back().value = value;
  };
  if (q.max_mean_kld) {
    add("quality.max_mean_kld", v.kld.mean, v.kld.mean <= *q.max_mean_kld,
        fmt::format("mean KLD {} nats, maximum {:g}", qnum(v.kld.mean), *q.max_mean_kld));
  }
  if (q.max_kld_p99) {
    const double p99 = kld_p99(v.kld);
    add("quality.max_kld_p99", p99, p99 <= *q.max_kld_p99,
        fmt::format("KLD 99th percentile {} nats, maximum {:g}", qnum(p99), *q.max_kld_p99));
  }
  if (q.min_top1_agreement) {
    add("quality.min_top1_agreement", v.top1_agreement, v.top1_agreement >= *q.min_top1_agreement,
        fmt::format("same top-1 {} ({} of {} positions), minimum {}", qpct(v.top1_agreement),
                    group_digits(v.top1_same), group_digits(run.scored),
                    qpct(*q.min_top1_agreement)));
  }
  if (q.max_ppl_ratio) {
    add("quality.max_ppl_ratio", v.ppl_ratio, v.ppl_ratio <= *q.max_ppl_ratio,
        fmt::format("PPL ratio {} (PPL {}, the reference's {}), maximum {:g}", qnum(v.ppl_ratio),
                    qnum(v.ppl), qnum(run.reference.ppl), *q.max_ppl_ratio));
  }
  return out;
}

namespace policy_detail {

void quality_rules(const Policy& policy, const Validation& model, bool model_valid,
                   std::optional<Validation>& fidelity_ref, const EvalOptions& options,
                   PolicyEvaluation& e) {
  const QualityPolicy& q = *policy.quality;
  if (!q.any_threshold()) return;
  std::vector<std::string> ids;
  for (const auto& id : policy_rules(policy))
    if (id.starts_with("quality.")) ids.push_back(id);
  if (!model_valid) {
    for (const auto& id : ids)
      e.rules.push_back(skipped(id, "the model has validation errors: it is not evaluated"));
    return;
  }
  const fs::path ref_dir = *quality_reference(policy);
  std::optional<Validation> own;
  const Validation& ref =
      quality_reference_validation(ref_dir, policy, fidelity_ref, own, options.follow_symlinks);
  if (size_t errors = count_severity(ref.findings, Severity::kError); errors > 0) {
    throw PolicyInputError(fmt::format(
        "policy.quality.reference: '{}' has {}; an invalid model is not evaluated (medq validate "
        "{})",
        ref_dir.string(), count_noun(errors, "validation error"), ref_dir.string()));
  }
  std::string err;
  const std::optional<QualityInputData> input =
      load_quality_input(q.tokens ? q.tokens->string() : "", q.text ? q.text->string() : "", &err);
  if (!input)
    throw PolicyInputError(std::string("policy.quality.") + (q.tokens ? "tokens" : "text") + ": " +
                           err);
  QualityOptions qo;
  qo.context = q.context;
  qo.score_from = q.score_from;
  qo.threads = options.threads;
  qo.progress = options.quality_progress;
  const QualitySubject subject{model.dir.root.string(), &model};
  QualityMeasurement m =
      measure_quality({ref_dir.string(), &ref}, std::span(&subject, 1), input->view(), qo);
  if (!m.outcome.result) throw PolicyInputError("policy.quality: " + m.outcome.message);
  const QualityResult& r = *m.outcome.result;
  const VariantQuality& v = r.variants.front();

  const std::string on = input->bundled ? "the " + input->source : input->source;
  const std::string of = fmt::format("against {} on {} ({} scored positions):", ref_dir.string(),
                                     on, group_digits(r.scored));
  // The particulars of a failed rule: what exactly was measured.
  std::string measured = fmt::format(
      "{} in {} of up to {} tokens, each from an empty cache; positions {} to each chunk's end "
      "scored",
      count_noun(r.tokens, "token"), count_noun(r.chunks, "chunk"), group_digits(r.context),
      r.score_from);
  if (m.text) {
    measured +=
        fmt::format("; text SHA-256 {}, encoded with {}", m.text->sha256, m.text->tokenizer_file);
  }
  for (RuleResult& rr : judge_quality(q, v, r, of, {measured})) e.rules.push_back(std::move(rr));
  PolicyQuality pq;
  pq.reference = ref_dir.string();
  pq.result = std::move(*m.outcome.result);
  pq.text = std::move(m.text);
  if (q.tokens) pq.tokens_file = q.tokens->string();
  e.quality = std::move(pq);
}

}  // namespace policy_detail

}  // namespace medq
