#include <stdexcept>
#include <string>
#include <utility>

#include "medq/check/deep_scan.hpp"
#include "medq/check/validate.hpp"
#include "medq/policy/snapshot.hpp"
#include "medq/report/check_report.hpp"

namespace medq {
namespace {

// The policy as the command line amends it; usage problems are thrown.
Policy effective_policy(const CheckRequest& request) {
  PolicyParse parsed = read_policy(request.policy);
  if (!parsed.policy) {
    throw std::runtime_error("policy '" + request.policy + "': " + parsed.error);
  }
  Policy policy = std::move(*parsed.policy);
  apply_overrides(policy, request.overrides);
  if (std::string problem = policy_usage_problem(policy); !problem.empty()) {
    throw std::runtime_error("policy '" + request.policy + "': " + problem);
  }
  return policy;
}

}  // namespace

CheckReport run_check(const CheckRequest& request) {
  const Policy policy = effective_policy(request);

  ScanOptions scan_opts;
  scan_opts.follow_symlinks = request.follow_symlinks;
  const bool deep = policy.findings && policy.findings->deep;
  if (request.storage) {
    // A remote model: what needs tensor data (or a local folder to hash) is not read from it.
    std::string needs;
    if (deep) needs = "findings.deep";
    if (policy.fidelity) needs += std::string(needs.empty() ? "" : ", ") + "fidelity";
    if (policy.integrity && policy.integrity->manifest) {
      needs += std::string(needs.empty() ? "" : ", ") + "the manifest check (integrity.manifest)";
    }
    if (!needs.empty()) {
      throw std::runtime_error("policy '" + request.policy + "': " + needs +
                               " reads tensor data, which needs the files locally: download " +
                               request.dir + " first and check the folder");
    }
  }
  Validation v = request.storage
                     ? validate_model(scan_model_dir(request.storage, request.dir, scan_opts))
                     : validate_model(request.dir, scan_opts);
  if (deep) {
    DataScanOptions scan;
    scan.threads = request.threads;
    scan.progress = progress_step(request.progress, "scanning tensor data");
    add_deep_scan_findings(&v, scan);
  }
  const uint64_t context = policy.limits ? policy.limits->context_tokens : kDefaultPolicyContext;

  CheckReport r;
  const std::string target = request.target.empty() ? request.dir : request.target;
  r.target = target;
  r.policy = request.policy;
  r.model = take_snapshot(v, context);
  if (policy.findings) r.allow = policy.findings->allow;
  EvalOptions eo;
  eo.threads = request.threads;
  eo.follow_symlinks = request.follow_symlinks;
  if (request.overrides.reference) {
    eo.reference_dir = *request.overrides.reference;
    eo.reference_label = request.reference_label;
  }
  eo.progress = progress_step(request.progress, "checking the policy");
  if (request.progress) {
    eo.quality_progress = [p = request.progress](const std::string& label, uint64_t done,
                                                 uint64_t total) {
      p("running " + label, done, total);
    };
  }
  r.evaluation = evaluate_policy(policy, v, r.model, eo);
  r.validation = build_validate_report(v, target, false, deep);
  return r;
}

}  // namespace medq
