#include "medq/policy/fidelity_rules.hpp"

#include <fmt/format.h>

#include "medq/util/units.hpp"
#include "rule_builder.hpp"

namespace medq {

namespace {

using policy_detail::Details;
using policy_detail::result;

RuleResult rule_threshold(const std::string& id, const FidelitySummary& s, bool cosine,
                          double limit, const std::string& scope,
                          const std::vector<std::string>& problems) {
  std::optional<double> value = cosine ? s.mean_cosine : s.mean_rel_rms;
  std::string what = cosine ? "cosine" : "relative error";
  Details d;
  for (const auto& p : problems) d.add(p);
  if (s.tensors == 0 || !value) {
    return result(id, false,
                  fmt::format("{} {}: nothing to measure ({} compared)", scope, what,
                              count_noun(s.tensors, "tensor")),
                  std::move(d));
  }
  bool pass = cosine ? *value >= limit : *value <= limit;
  std::string msg =
      cosine ? fmt::format("{} cosine {:.6f}, minimum {:g}", scope, *value, limit)
             : fmt::format("{} relative error {:.4f}, maximum {:g}", scope, *value, limit);
  msg += fmt::format(" ({} compared)", count_noun(s.tensors, "tensor"));
  if (!problems.empty()) {
    msg += fmt::format("; {} could not be read", count_noun(problems.size(), "tensor"));
    pass = false;
  }
  RuleResult r = result(id, pass, msg, std::move(d));
  r.value = *value;
  return r;
}

}  // namespace

std::vector<RuleResult> judge_fidelity(const FidelityPolicy& p, const VariantFidelity& f,
                                       const std::string& against) {
  std::vector<RuleResult> out;
  const std::vector<std::string>& problems = f.read_errors;
  const std::string vs = against.empty() ? "" : against + " ";
  if (p.overall.min_cosine) {
    out.push_back(rule_threshold("fidelity.min_cosine", f.overall, true, *p.overall.min_cosine,
                                 vs + "mean", problems));
  }
  if (p.overall.max_relative_error) {
    out.push_back(rule_threshold("fidelity.max_relative_error", f.overall, false,
                                 *p.overall.max_relative_error, vs + "mean", problems));
  }
  for (ModelPart part : kModelParts) {
    std::string name(model_part_name(part));
    auto it = p.components.find(name);
    if (it == p.components.end()) continue;
    auto ps = f.parts.find(part);
    FidelitySummary s = ps == f.parts.end() ? FidelitySummary{} : ps->second;
    std::string prefix = "fidelity.components." + name;
    if (it->second.min_cosine) {
      out.push_back(
          rule_threshold(prefix + ".min_cosine", s, true, *it->second.min_cosine, vs + name, {}));
    }
    if (it->second.max_relative_error) {
      out.push_back(rule_threshold(prefix + ".max_relative_error", s, false,
                                   *it->second.max_relative_error, vs + name, {}));
    }
  }
  return out;
}

namespace policy_detail {

void fidelity_rules(const FidelityPolicy& p, const Validation& model,
                    std::optional<Validation>& reference, const EvalOptions& options,
                    std::vector<RuleResult>& out) {
  bool any = p.overall.min_cosine || p.overall.max_relative_error;
  for (const auto& [name, t] : p.components) any = any || t.min_cosine || t.max_relative_error;
  if (!any) return;
  const Validation& ref = validated_reference(*p.reference, reference, "policy.fidelity.reference",
                                              options.follow_symlinks);
  FidelityOptions fo;
  fo.threads = options.threads;
  fo.progress = options.progress;
  const std::string ref_name = reference_name(*p.reference, options);
  VariantFidelity f = measure_fidelity(ref, model, ref_name, "model", fo);
  for (RuleResult& r : judge_fidelity(p, f, "against " + ref_name + ":")) {
    out.push_back(std::move(r));
  }
}

}  // namespace policy_detail

}  // namespace medq
