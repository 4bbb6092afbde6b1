// The decision of `medq compare` on comparisons built by hand: which variant is recommended
// (the smallest by memory that meets every criterion; ties; a variant with errors never; the
// baseline by definition), the sentences, and the criteria that cannot be used.
#include "medq/report/recommendation.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace medq {
namespace {

CompareVariant variant(std::string label, uint64_t memory, uint64_t tensor_bytes,
                       std::optional<double> rel_error, size_t errors = 0) {
  CompareVariant v;
  v.stats.label = std::move(label);
  v.stats.tensor_bytes = tensor_bytes;
  v.stats.weight_files = 1;
  v.stats.errors = errors;
  if (errors) v.stats.error_codes["index.stale"] = errors;
  v.memory.weights = tensor_bytes;
  v.memory.total = memory;
  v.memory.kv_cache = memory - tensor_bytes;
  if (rel_error) {
    VariantFidelity f;
    f.overall.tensors = 10;
    f.overall.mean_rel_rms = *rel_error;
    f.overall.mean_cosine = 1 - *rel_error;
    v.fidelity = f;
  }
  return v;
}

/// bf16 (the baseline), 8bit, 6bit, 4bit: memory 10, 6, 5, 4 (MB); error 0.01, 0.03, 0.08.
Comparison samples() {
  Comparison c;
  c.context = 8192;
  c.variants = {variant("bf16", 10'000'000, 8'000'000, std::nullopt),
                variant("8bit", 6'000'000, 4'000'000, 0.01),
                variant("6bit", 5'000'000, 3'000'000, 0.03),
                variant("4bit", 4'000'000, 2'000'000, 0.08)};
  return c;
}

std::vector<CompareInput> inputs_of(const Comparison& c) {
  std::vector<CompareInput> in;
  for (const auto& v : c.variants) in.push_back({v.stats.label, "/nonexistent/" + v.stats.label});
  return in;
}

CompareCriteria criteria(Comparison& c, const std::string& budget, std::optional<double> rel) {
  CompareOptions o;
  o.fidelity = true;
  std::string why;
  if (!budget.empty()) o.memory_budget = parse_memory_budget(budget, &why);
  c.memory_budget = o.memory_budget;
  for (auto& v : c.variants) {
    if (o.memory_budget) {
      v.memory.fits = v.memory.total <= o.memory_budget->bytes;
      v.memory.headroom =
          static_cast<int64_t>(o.memory_budget->bytes) - static_cast<int64_t>(v.memory.total);
    }
  }
  CriteriaRequest r;
  r.max_rel_error = rel;
  std::string baseline;
  const std::vector<CompareInput> in = inputs_of(c);
  return make_criteria(r, o, in, baseline);
}

TEST(Recommendation, SmallestThatMeetsEveryCriterion) {
  Comparison c = samples();
  const CompareCriteria k = criteria(c, "6MB", 0.05);
  const Recommendation r = recommend(c, k);
  ASSERT_EQ(r.criteria.size(), 2u);
  EXPECT_EQ(r.criteria[0].phrase, "fits 6 MB");
  EXPECT_EQ(r.criteria[1].phrase, "weight rel. error ≤ 0.05");
  ASSERT_TRUE(r.recommended);
  EXPECT_EQ(c.variants[*r.recommended].stats.label, "6bit");  // 4bit's error is 0.08
  EXPECT_EQ(to_plain(r.sentence),
            "Recommended: 6bit — the smallest variant that fits 6 MB with weight rel. error ≤ "
            "0.05 (2 of 4 meet every criterion).");
  // Per variant: validation, memory, error; the measured values kept.
  ASSERT_EQ(r.variants[3].results.size(), 3u);
  EXPECT_EQ(r.variants[3].results[2].status, RuleStatus::kFail);
  EXPECT_DOUBLE_EQ(*r.variants[3].results[2].value, 0.08);
  EXPECT_EQ(r.variants[0].results[1].status, RuleStatus::kFail);  // bf16 does not fit
  EXPECT_DOUBLE_EQ(*r.variants[0].results[1].value, 10'000'000);
}

TEST(Recommendation, DecisionCellsAreMarkedPassOrFail) {
  Comparison c = samples();
  const Recommendation r = recommend(c, criteria(c, "6MB", 0.05));
  const ReportSection s = decision_section(r, c);
  ASSERT_EQ(s.table.rows.size(), 4u);
  // variant, fits 6 MB, rel. error <= 0.05, verdict
  using M = CellMark;
  EXPECT_EQ(s.table.marks[0], (std::vector<M>{M::kNone, M::kFail, M::kPass, M::kFail}));  // bf16
  EXPECT_EQ(s.table.marks[1], (std::vector<M>{M::kNone, M::kPass, M::kPass, M::kPass}));  // 8bit
  EXPECT_EQ(s.table.marks[2], (std::vector<M>{M::kNone, M::kPass, M::kPass, M::kPass}));  // 6bit
  EXPECT_EQ(s.table.marks[3], (std::vector<M>{M::kNone, M::kPass, M::kFail, M::kFail}));  // 4bit
  EXPECT_EQ(to_plain(s.table.rows[2][3]), "RECOMMENDED");
  EXPECT_EQ(to_plain(s.table.rows[3][2]), "0.0800 FAIL");
}

TEST(Recommendation, TiesGoToLessDataThenTheMorePrecise) {
  Comparison c = samples();
  c.variants[2].memory.total = c.variants[1].memory.total;  // 6bit uses as much as 8bit
  Recommendation r = recommend(c, criteria(c, "7MB", 0.05));
  EXPECT_EQ(c.variants[*r.recommended].stats.label, "6bit");  // less tensor data
  c.variants[2].stats.tensor_bytes = c.variants[1].stats.tensor_bytes;
  r = recommend(c, criteria(c, "7MB", 0.05));
  EXPECT_EQ(c.variants[*r.recommended].stats.label, "8bit");  // a full tie: the more precise
}

TEST(Recommendation, NoVariantNamesWhatEachFails) {
  Comparison c = samples();
  const Recommendation r = recommend(c, criteria(c, "4.5MB", 0.05));
  EXPECT_FALSE(r.recommended);
  EXPECT_EQ(to_plain(r.sentence),
            "No variant meets the criteria: bf16: memory 10.00 MB > 4.5 MB; 8bit: memory 6.00 MB "
            "> 4.5 MB; 6bit: memory 5.00 MB > 4.5 MB; 4bit: weight rel. error 0.0800 > 0.05.");
}

TEST(Recommendation, AVariantWithErrorsIsNeverRecommended) {
  Comparison c = samples();
  c.variants.push_back(variant("3bit", 3'000'000, 1'500'000, 0.001, /*errors=*/1));
  const Recommendation r = recommend(c, criteria(c, "6MB", 0.05));
  EXPECT_EQ(c.variants[*r.recommended].stats.label, "6bit");
  EXPECT_EQ(r.variants[4].results[0].id, "validation");
  EXPECT_EQ(r.variants[4].results[0].status, RuleStatus::kFail);
  EXPECT_FALSE(r.variants[4].meets());
}

TEST(Recommendation, TheBaselineMeetsErrorCriteriaByDefinition) {
  Comparison c = samples();
  const Recommendation r = recommend(c, criteria(c, "", 0.001));
  ASSERT_TRUE(r.recommended);
  EXPECT_EQ(*r.recommended, 0u);  // only bf16 (error 0 against itself)
  EXPECT_EQ(r.variants[0].results[1].status, RuleStatus::kPass);
  EXPECT_DOUBLE_EQ(*r.variants[0].results[1].value, 0.0);
  EXPECT_EQ(to_plain(r.sentence),
            "Recommended: bf16 — the smallest variant with weight rel. error ≤ 0.001 (1 of 4 "
            "meet every criterion).");
}

TEST(Recommendation, NoCriteriaNoRecommendation) {
  Comparison c = samples();
  const Recommendation r = recommend(c, criteria(c, "", std::nullopt));
  EXPECT_FALSE(r.recommended);
  EXPECT_TRUE(r.variants.empty());
  EXPECT_TRUE(to_plain(r.sentence)
                  .starts_with("No recommendation: no criteria given. With "
                               "--memory-budget SIZE"));
}

TEST(Recommendation, DifferentModelsGetNone) {
  Comparison c = samples();
  Finding f;
  f.code = "compare.different_models";
  f.severity = Severity::kError;
  c.findings.push_back(f);
  const Recommendation r = recommend(c, criteria(c, "6MB", std::nullopt));
  EXPECT_FALSE(r.recommended);
  EXPECT_TRUE(to_plain(r.sentence).starts_with("No recommendation: the variants are not one"));
}

TEST(Recommendation, CriteriaNeedTheirMeasurement) {
  const Comparison c = samples();
  const std::vector<CompareInput> in = inputs_of(c);
  std::string baseline;
  CompareOptions o;  // neither --fidelity nor --quality
  CriteriaRequest r;
  r.max_kld = 0.02;
  try {
    make_criteria(r, o, in, baseline);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "--max-kld needs --quality: the output distribution is measured by the forward "
                 "passes");
  }
  r = {};
  r.min_cosine = 0.99;
  EXPECT_THROW(make_criteria(r, o, in, baseline), std::invalid_argument);
  r = {};
  r.policy = "/nonexistent/policy.json";
  EXPECT_THROW(make_criteria(r, o, in, baseline), std::invalid_argument);
}

}  // namespace
}  // namespace medq
