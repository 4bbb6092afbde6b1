// The policy's judging of measured numbers (fidelity_rules, quality_rules, limit_rules): the
// verdict at and around each threshold, the message, and the rules a threshold set gives, on
// measurements built by hand (the measuring itself is tested in policy_eval_test.cpp).
#include <gtest/gtest.h>

#include "medq/policy/fidelity_rules.hpp"
#include "medq/policy/limit_rules.hpp"
#include "medq/policy/quality_rules.hpp"

namespace medq {
namespace {

FidelitySummary summary(double rel, double cosine, uint64_t tensors = 10) {
  FidelitySummary s;
  s.tensors = tensors;
  s.mean_rel_rms = rel;
  s.mean_cosine = cosine;
  return s;
}

TEST(JudgeFidelity, ThresholdsInclusiveAndInPolicyOrder) {
  FidelityPolicy p;
  p.overall.max_relative_error = 0.05;
  p.overall.min_cosine = 0.999;
  p.components["vision_tower"].max_relative_error = 0.01;
  VariantFidelity f;
  f.overall = summary(0.05, 0.9989);
  f.parts[ModelPart::kVision] = summary(0.02, 0.9999, 3);
  std::vector<RuleResult> r = judge_fidelity(p, f, "against bf16:");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].id, "fidelity.min_cosine");
  EXPECT_EQ(r[0].status, RuleStatus::kFail);  // 0.9989 < 0.999
  EXPECT_EQ(r[0].message,
            "against bf16: mean cosine 0.998900, minimum 0.999 (10 tensors compared)");
  EXPECT_EQ(r[1].id, "fidelity.max_relative_error");
  EXPECT_EQ(r[1].status, RuleStatus::kPass);  // equal to the limit passes
  EXPECT_EQ(r[2].id, "fidelity.components.vision_tower.max_relative_error");
  EXPECT_EQ(r[2].status, RuleStatus::kFail);
  EXPECT_EQ(r[2].message,
            "against bf16: vision_tower relative error 0.0200, maximum 0.01 (3 tensors compared)");
  // No scope: the message starts with what was measured.
  EXPECT_EQ(judge_fidelity(p, f, "")[1].message,
            "mean relative error 0.0500, maximum 0.05 (10 tensors compared)");
}

TEST(JudgeFidelity, UnreadableTensorsAndMissingPartsFail) {
  FidelityPolicy p;
  p.overall.max_relative_error = 1.0;
  p.components["projector"].min_cosine = 0.5;
  VariantFidelity f;
  f.overall = summary(0.01, 1.0);
  f.read_errors = {"a.weight: truncated"};
  std::vector<RuleResult> r = judge_fidelity(p, f, "");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, RuleStatus::kFail);
  EXPECT_EQ(r[0].details, std::vector<std::string>{"a.weight: truncated"});
  EXPECT_EQ(r[1].status, RuleStatus::kFail);
  EXPECT_EQ(r[1].message, "projector cosine: nothing to measure (0 tensors compared)");
}

TEST(JudgeQuality, EachThreshold) {
  QualityPolicy q;
  q.max_mean_kld = 0.02;
  q.max_kld_p99 = 0.1;
  q.min_top1_agreement = 0.9;
  q.max_ppl_ratio = 1.05;
  QualityResult run;
  run.scored = 40;
  run.reference.ppl = 10;
  VariantQuality v;
  v.kld.mean = 0.02;
  v.kld.max = 0.5;
  v.kld.percentiles = {{50.0, 0.01}, {99.0, 0.2}};
  v.top1_same = 36;
  v.top1_agreement = 0.9;
  v.ppl = 10.6;
  v.ppl_ratio = 1.06;
  std::vector<RuleResult> r = judge_quality(q, v, run, "", {"what was run"});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].id, "quality.max_mean_kld");
  EXPECT_EQ(r[0].status, RuleStatus::kPass);
  EXPECT_EQ(r[0].message, "mean KLD 0.02 nats, maximum 0.02");
  EXPECT_TRUE(r[0].details.empty());  // particulars only for a failed rule
  EXPECT_EQ(r[1].id, "quality.max_kld_p99");
  EXPECT_EQ(r[1].status, RuleStatus::kFail);  // the 99th percentile, not the maximum
  EXPECT_EQ(r[1].message, "KLD 99th percentile 0.2 nats, maximum 0.1");
  EXPECT_EQ(r[1].details, std::vector<std::string>{"what was run"});
  EXPECT_EQ(r[2].status, RuleStatus::kPass);
  EXPECT_EQ(r[2].message, "same top-1 90.00% (36 of 40 positions), minimum 90.00%");
  EXPECT_EQ(r[3].status, RuleStatus::kFail);
  EXPECT_EQ(r[3].message, "PPL ratio 1.06 (PPL 10.6, the reference's 10), maximum 1.05");
  EXPECT_EQ(judge_quality(q, v, run, "against x:")[0].message,
            "against x: mean KLD 0.02 nats, maximum 0.02");
}

TEST(JudgeLimits, WithinOverAndUnknown) {
  LimitsPolicy l;
  l.max_weight_bytes = 1000;
  l.max_memory_bytes = 5000;
  ModelSnapshot s;
  s.weight_bytes = 1000;
  s.context_tokens = 8192;
  s.memory_bytes = 5001;
  s.kv_cache_bytes = 100;
  std::vector<RuleResult> r = judge_limits(l, s);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, RuleStatus::kPass);
  EXPECT_EQ(r[0].message, "weights 1.00 kB (1,000 bytes), within 1.00 kB (1,000 bytes)");
  EXPECT_EQ(r[1].status, RuleStatus::kFail);
  s.kv_cache_bytes.reset();
  r = judge_limits(l, s);
  EXPECT_EQ(r[1].status, RuleStatus::kFail);
  EXPECT_EQ(r[1].message,
            "estimated memory at 8,192 tokens unknown: config.json does not give the KV cache "
            "dimensions");
  r = judge_limits(l, s, "no weights");
  EXPECT_EQ(r[0].status, RuleStatus::kSkipped);
  EXPECT_EQ(r[1].status, RuleStatus::kSkipped);
}

}  // namespace
}  // namespace medq
