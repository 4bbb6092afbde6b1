// Policy files (medq check, docs/ci.md): parsing, the key path every error names, sizes, paths
// relative to the policy file, command-line overrides, and which rules a policy evaluates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "medq/policy/policy.hpp"
#include "overrides.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

using test::with_baseline;
using test::with_manifest;
using test::with_reference;

Policy parse_ok(const std::string& text, const fs::path& base = "/policies") {
  PolicyParse r = parse_policy(text, base);
  EXPECT_TRUE(r.policy) << r.error;
  return r.policy ? *r.policy : Policy{};
}

std::string parse_error(const std::string& text) {
  PolicyParse r = parse_policy(text, "/policies");
  EXPECT_FALSE(r.policy) << text;
  return r.error;
}

TEST(Policy, EveryKey) {
  Policy p = parse_ok(R"({
    "medq_policy": 1,
    "description": "release gate",
    "findings": {"fail_on_warnings": true, "fail_on": ["data.nan", "tokenizer.*"],
                 "allow": ["directory.unreferenced_file"], "deep": true},
    "quantization": {"mode": "affine", "bits": 4, "group_size": 64, "allow_mixed": false},
    "limits": {"max_weight_bytes": "3.5 GB", "max_directory_bytes": "3 GiB",
               "max_memory_bytes": 6000000000, "context_tokens": 4096},
    "fidelity": {"reference": "../bf16", "min_cosine": 0.99, "max_relative_error": 0.1,
                 "components": {"vision_tower": {"min_cosine": 0.995},
                                "language_model": {"max_relative_error": 0.08}}},
    "integrity": {"manifest": "/abs/model.manifest.json"},
    "tokenizer": {"identical_to": "ref"},
    "baseline": {"report": "last.json", "allow_tensor_set_change": false,
                 "allow_architecture_change": true, "max_size_growth_percent": 5}
  })");
  ASSERT_TRUE(p.findings);
  EXPECT_TRUE(p.findings->fail_on_warnings);
  EXPECT_TRUE(p.findings->deep);
  EXPECT_EQ(p.findings->fail_on, (std::vector<std::string>{"data.nan", "tokenizer.*"}));
  ASSERT_TRUE(p.quantization);
  EXPECT_EQ(p.quantization->mode, "affine");
  EXPECT_EQ(p.quantization->bits, 4u);
  EXPECT_EQ(p.quantization->group_size, 64u);
  EXPECT_EQ(p.quantization->allow_mixed, false);
  ASSERT_TRUE(p.limits);
  EXPECT_EQ(p.limits->max_weight_bytes, 3500000000u);
  EXPECT_EQ(p.limits->max_directory_bytes, 3ull << 30);
  EXPECT_EQ(p.limits->max_memory_bytes, 6000000000u);
  EXPECT_EQ(p.limits->context_tokens, 4096u);
  ASSERT_TRUE(p.fidelity);
  // Relative paths are relative to the policy file's directory; absolute ones stay.
  EXPECT_EQ(p.fidelity->reference, fs::path("/policies/../bf16"));
  EXPECT_EQ(p.integrity->manifest, fs::path("/abs/model.manifest.json"));
  EXPECT_EQ(p.tokenizer->identical_to, fs::path("/policies/ref"));
  EXPECT_EQ(p.baseline->report, fs::path("/policies/last.json"));
  EXPECT_EQ(p.fidelity->components.at("vision_tower").min_cosine, 0.995);
  EXPECT_FALSE(p.fidelity->components.at("vision_tower").max_relative_error);

  EXPECT_EQ(
      policy_rules(p),
      (std::vector<std::string>{
          "validation", "findings.fail_on_warnings", "findings.fail_on", "quantization.mode",
          "quantization.bits", "quantization.group_size", "quantization.allow_mixed",
          "limits.max_weight_bytes", "limits.max_directory_bytes", "limits.max_memory_bytes",
          "fidelity.min_cosine", "fidelity.max_relative_error",
          "fidelity.components.language_model.max_relative_error",
          "fidelity.components.vision_tower.min_cosine", "integrity.manifest",
          "tokenizer.identical_to", "baseline.tensor_set", "baseline.max_size_growth_percent"}));
  EXPECT_EQ(policy_usage_problem(p), "");
}

TEST(Policy, ErrorsNameTheKeyPath) {
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "limits": {"max_weight_byts": 5}})"),
            "policy.limits.max_weight_byts: unknown key");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "colour": "red"})"), "policy.colour: unknown key");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "findings": {"fail_on_warnings": "yes"}})"),
            "policy.findings.fail_on_warnings: must be true or false, not a string");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "findings": {"fail_on": ["data.nan", 3]}})"),
            "policy.findings.fail_on[1]: must be a finding code (a string), not an integer");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "findings": {"allow": "data.nan"}})"),
            "policy.findings.allow: must be an array of finding codes, not a string");
  EXPECT_NE(parse_error(R"({"medq_policy": 1, "findings": {"allow": ["Data NaN"]}})")
                .find("policy.findings.allow[0]: 'Data NaN' is not a finding code"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quantization": {"bits": 4.5}})"),
            "policy.quantization.bits: must be a whole number, not a number");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quantization": {"bits": 0}})"),
            "policy.quantization.bits: 0 is out of range (from 1 to 16)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quantization": {"mode": "int4"}})"),
            "policy.quantization.mode: 'int4' is not affine, mxfp4, mxfp8, nvfp4 or none");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quantization": {"mode": "none", "bits": 4}})"),
            "policy.quantization: mode \"none\" (unquantized) cannot have bits or group_size");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "limits": "big"})"),
            "policy.limits: must be an object, not a string");
  EXPECT_NE(parse_error(R"({"medq_policy": 1, "limits": {"max_weight_bytes": "lots"}})")
                .find("policy.limits.max_weight_bytes: 'lots' is not a size"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "limits": {"max_weight_bytes": -1}})"),
            "policy.limits.max_weight_bytes: must be a size in bytes or a string such as \"3.5 "
            "GB\", not an integer");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "fidelity": {"min_cosine": 1.5}})"),
            "policy.fidelity.min_cosine: 1.5 is out of range (from -1 to 1)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "fidelity": {"components": {"decoder": {}}}})"),
            "policy.fidelity.components.decoder: not a model part (language_model, embeddings, "
            "vision_tower or projector)");
  EXPECT_EQ(parse_error(
                R"({"medq_policy": 1, "fidelity": {"components": {"projector": {"min_cos": 1}}}})"),
            "policy.fidelity.components.projector.min_cos: unknown key");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "tokenizer": {"identical_to": ""}})"),
            "policy.tokenizer.identical_to: must not be empty");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "baseline": {"max_size_growth_percent": "5%"}})"),
            "policy.baseline.max_size_growth_percent: must be a number, not a string");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "findings": {"fail_on": ["data.*"],
                                                           "allow": ["data.nan"]}})"),
            "policy.findings: 'data.*' is both in fail_on and allowed by 'data.nan'");
}

TEST(Policy, VersionAndSyntax) {
  EXPECT_EQ(parse_error(R"({"limits": {}})"),
            "policy: not a medq policy: the key \"medq_policy\": 1 is missing");
  EXPECT_EQ(parse_error(R"({"medq_policy": 2})"),
            "policy.medq_policy: version 2 is not supported (this medq reads version 1)");
  EXPECT_EQ(parse_error(R"({"medq_policy": "1"})"),
            "policy.medq_policy: version \"1\" is not supported (this medq reads version 1)");
  EXPECT_EQ(parse_error("[1]"), "policy: must be an object, not an array");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "medq_policy": 1})"),
            "the key 'medq_policy' is given twice");
  std::string e = parse_error("{\"medq_policy\": 1,\n  \"limits\": {,}}");
  EXPECT_EQ(e.rfind("not valid JSON: at line 2, column ", 0), 0u) << e;
  // The bytes of ill-formed UTF-8 are not repeated in the message.
  e = parse_error("{\"medq_policy\": 1, \"description\": \"\xff\xfe\"}");
  EXPECT_EQ(e,
            "not valid JSON: at line 1, column 36: syntax error while parsing value - invalid "
            "string: ill-formed UTF-8 byte")
      << e;
}

TEST(Policy, ChecksNothing) {
  Policy p = parse_ok(R"({"medq_policy": 1})");
  EXPECT_EQ(policy_rules(p), std::vector<std::string>{"validation"});
  EXPECT_NE(policy_usage_problem(p).find("checks nothing"), std::string::npos);
  // Sections without a rule in them check nothing either.
  p = parse_ok(R"({"medq_policy": 1, "findings": {"allow": ["data.nan"], "deep": true},
                   "limits": {"context_tokens": 100}, "quantization": {"allow_mixed": true}})");
  EXPECT_NE(policy_usage_problem(p).find("checks nothing"), std::string::npos);
  // Baseline rules without a report are skipped, so they alone check nothing...
  p = parse_ok(R"({"medq_policy": 1, "baseline": {"max_size_growth_percent": 5}})");
  EXPECT_NE(policy_usage_problem(p).find("checks nothing"), std::string::npos);
  // ...until --baseline gives one.
  apply_overrides(p, with_baseline("last.json"));
  EXPECT_EQ(policy_usage_problem(p), "");
  EXPECT_EQ(p.baseline->report, fs::path("last.json"));
}

TEST(Policy, References) {
  Policy p = parse_ok(R"({"medq_policy": 1, "fidelity": {"min_cosine": 0.99}})");
  EXPECT_NE(policy_usage_problem(p).find("policy.fidelity.reference"), std::string::npos);
  apply_overrides(p, with_reference("bf16"));
  EXPECT_EQ(policy_usage_problem(p), "");
  EXPECT_EQ(p.fidelity->reference, fs::path("bf16"));

  // tokenizer: {} compares with the fidelity reference; without one it is a usage error.
  p = parse_ok(R"({"medq_policy": 1, "tokenizer": {}})");
  EXPECT_EQ(policy_rules(p), (std::vector<std::string>{"validation", "tokenizer.identical_to"}));
  EXPECT_NE(policy_usage_problem(p).find("policy.tokenizer.identical_to"), std::string::npos);
  p = parse_ok(R"({"medq_policy": 1, "tokenizer": {}, "fidelity": {"reference": "r"}})");
  EXPECT_EQ(policy_usage_problem(p), "");
  // --reference replaces both references.
  p = parse_ok(R"({"medq_policy": 1, "tokenizer": {"identical_to": "a"},
                   "fidelity": {"reference": "b", "min_cosine": 0.9}})");
  apply_overrides(p, with_reference("c"));
  EXPECT_EQ(p.tokenizer->identical_to, fs::path("c"));
  EXPECT_EQ(p.fidelity->reference, fs::path("c"));

  // --manifest adds the integrity rule.
  p = parse_ok(R"({"medq_policy": 1})");
  apply_overrides(p, with_manifest("m.json"));
  EXPECT_EQ(policy_rules(p), (std::vector<std::string>{"validation", "integrity.manifest"}));
  EXPECT_EQ(policy_usage_problem(p), "");
  p = parse_ok(R"({"medq_policy": 1, "integrity": {}})");
  EXPECT_NE(policy_usage_problem(p).find("policy.integrity.manifest"), std::string::npos);
}

TEST(Policy, Quality) {
  Policy p = parse_ok(R"({"medq_policy": 1, "quality": {
    "reference": "../bf16", "text": "eval.txt", "context": 256, "score_from": 64,
    "max_mean_kld": 0.05, "max_kld_p99": 0.3, "min_top1_agreement": 0.9,
    "max_ppl_ratio": 1.05}})");
  ASSERT_TRUE(p.quality);
  const QualityPolicy& q = *p.quality;
  EXPECT_EQ(q.reference, fs::path("/policies/../bf16"));
  EXPECT_EQ(q.text, fs::path("/policies/eval.txt"));
  EXPECT_FALSE(q.tokens);
  EXPECT_EQ(q.context, 256u);
  EXPECT_EQ(q.score_from, 64u);
  EXPECT_EQ(q.max_mean_kld, 0.05);
  EXPECT_EQ(q.max_kld_p99, 0.3);
  EXPECT_EQ(q.min_top1_agreement, 0.9);
  EXPECT_EQ(q.max_ppl_ratio, 1.05);
  // The rules in report order, after fidelity's and before integrity's.
  EXPECT_EQ(policy_rules(p),
            (std::vector<std::string>{"validation", "quality.max_mean_kld", "quality.max_kld_p99",
                                      "quality.min_top1_agreement", "quality.max_ppl_ratio"}));
  EXPECT_EQ(policy_usage_problem(p), "");

  // Defaults: chunks of 512, scored from the middle (left to the run), the bundled text.
  p = parse_ok(R"({"medq_policy": 1, "quality": {"reference": "r", "min_top1_agreement": 1}})");
  EXPECT_EQ(p.quality->context, 512u);
  EXPECT_FALSE(p.quality->score_from);
  EXPECT_FALSE(p.quality->text);
  EXPECT_FALSE(p.quality->tokens);
  EXPECT_EQ(policy_rules(p),
            (std::vector<std::string>{"validation", "quality.min_top1_agreement"}));

  // A section without thresholds checks nothing.
  p = parse_ok(R"({"medq_policy": 1, "quality": {"reference": "r", "tokens": "t.txt"}})");
  EXPECT_EQ(p.quality->tokens, fs::path("/policies/t.txt"));
  EXPECT_NE(policy_usage_problem(p).find("checks nothing"), std::string::npos);

  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"tokens": "a", "text": "b"}})"),
            "policy.quality: give tokens or text, not both (neither: the bundled evaluation text)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"context": 32, "score_from": 32}})"),
            "policy.quality.score_from: 32 leaves nothing to score in chunks of 32 tokens "
            "(context)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"min_top1_agreement": 1.5}})"),
            "policy.quality.min_top1_agreement: 1.5 is out of range (from 0 to 1)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"max_mean_kld": -0.1}})")
                .rfind("policy.quality.max_mean_kld: -0.1 is out of range", 0),
            0u);
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"context": 0}})"),
            "policy.quality.context: 0 is out of range (from 1 to 1048576)");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"max_kld": 0.1}})"),
            "policy.quality.max_kld: unknown key");
  EXPECT_EQ(parse_error(R"({"medq_policy": 1, "quality": {"text": ""}})"),
            "policy.quality.text: must not be empty");
}

TEST(Policy, QualityReference) {
  // A threshold needs a reference: its own, the fidelity reference, or --reference.
  Policy p = parse_ok(R"({"medq_policy": 1, "quality": {"max_mean_kld": 0.1}})");
  EXPECT_FALSE(quality_reference(p));
  EXPECT_NE(policy_usage_problem(p).find("policy.quality.reference"), std::string::npos);
  p = parse_ok(R"({"medq_policy": 1, "quality": {"max_mean_kld": 0.1},
                   "fidelity": {"reference": "f"}})");
  EXPECT_EQ(quality_reference(p), fs::path("/policies/f"));
  EXPECT_EQ(policy_usage_problem(p), "");
  p = parse_ok(R"({"medq_policy": 1, "quality": {"reference": "q", "max_mean_kld": 0.1},
                   "fidelity": {"reference": "f"}})");
  EXPECT_EQ(quality_reference(p), fs::path("/policies/q"));
  // --reference replaces every reference.
  apply_overrides(p, with_reference("c"));
  EXPECT_EQ(quality_reference(p), fs::path("c"));
  EXPECT_EQ(p.fidelity->reference, fs::path("c"));
  p = parse_ok(R"({"medq_policy": 1, "quality": {"max_ppl_ratio": 1.1}})");
  apply_overrides(p, with_reference("c"));
  EXPECT_EQ(quality_reference(p), fs::path("c"));
  EXPECT_EQ(policy_usage_problem(p), "");
}

TEST(Policy, ReadFile) {
  testing::TempDir tmp;
  tmp.write("sub/policy.json", R"({"medq_policy": 1, "baseline": {"report": "prev.json"}})");
  PolicyParse r = read_policy(tmp.path() / "sub/policy.json");
  ASSERT_TRUE(r.policy) << r.error;
  EXPECT_EQ(r.policy->baseline->report, tmp.path() / "sub/prev.json");
  EXPECT_EQ(r.policy->file, tmp.path() / "sub/policy.json");
  r = read_policy(tmp.path() / "missing.json");
  EXPECT_FALSE(r.policy);
  EXPECT_EQ(r.error.rfind("cannot read: ", 0), 0u) << r.error;
}

TEST(Policy, CodeMatches) {
  EXPECT_TRUE(code_matches("data.nan", "data.nan"));
  EXPECT_TRUE(code_matches("data.nan", "data.*"));
  EXPECT_TRUE(code_matches("data.nan", "*"));
  EXPECT_FALSE(code_matches("data.nan", "data.na"));
  EXPECT_FALSE(code_matches("tokenizer.x", "data.*"));
}

}  // namespace
}  // namespace medq
