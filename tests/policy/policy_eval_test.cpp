// Evaluating policies on generated models (tools/synth): each rule's verdict and message, the
// baseline report written and read back, and the JUnit / GitHub annotation escaping.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "../support/temp_dir.hpp"
#include "arch.hpp"
#include "checkpoint.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/integrity/manifest.hpp"
#include "medq/policy/policy.hpp"
#include "medq/policy/policy_eval.hpp"
#include "medq/policy/snapshot.hpp"
#include "medq/report/check_report.hpp"
#include "medq/report/github_annotations.hpp"
#include "medq/report/junit.hpp"
#include "medq/report/markup_escape.hpp"
#include "medq/util/units.hpp"
#include "overrides.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

using test::with_baseline;
using test::with_manifest;
using test::with_reference;

using testing::TempDir;

/// Generated models shared by the tests of this file (written once).
class Models {
 public:
  static const Models& get() {
    static Models m;
    return m;
  }
  fs::path bf16, q4, q8, mixed, llama;

 private:
  Models() {
    auto write = [&](const std::string& name, const synth::Arch& a, const synth::QuantPlan& plan) {
      fs::path dir = tmp_.path() / name;
      fs::create_directories(dir);
      synth::GenerateOptions o;
      o.seed = 3;
      synth::write_checkpoint(dir, a, plan, o);
      return dir;
    };
    const synth::Arch g = synth::tiny_gemma3();
    bf16 = write("bf16", g, synth::QuantPlan{});
    q4 = write("4bit", g, synth::plan_affine(4, 64));
    q8 = write("8bit", g, synth::plan_affine(8, 64));
    mixed = write("mixed_4_8", g, synth::plan_mixed("mixed_4_8", g, {}));
    llama = write("llama", synth::tiny_llama(), synth::plan_affine(4, 64));
  }
  TempDir tmp_;
};

Policy policy(const std::string& text) {
  PolicyParse r = parse_policy(text, "");
  EXPECT_TRUE(r.policy) << r.error;
  return r.policy ? *r.policy : Policy{};
}

PolicyEvaluation eval(const Policy& p, const fs::path& dir, uint64_t context = 8192) {
  Validation v = validate_model(dir);
  return evaluate_policy(p, v, take_snapshot(v, context));
}

const RuleResult& rule(const PolicyEvaluation& e, const std::string& id) {
  auto it =
      std::find_if(e.rules.begin(), e.rules.end(), [&](const RuleResult& r) { return r.id == id; });
  if (it == e.rules.end()) throw std::runtime_error("no rule " + id);
  return *it;
}

std::string show(const PolicyEvaluation& e) {
  std::string s;
  for (const auto& r : e.rules) {
    s += r.id + " " + std::string(rule_status_name(r.status)) + ": " + r.message + "\n";
    for (const auto& d : r.details) s += "    " + d + "\n";
  }
  return s;
}

TEST(PolicyEval, Quantization) {
  const Models& m = Models::get();
  Policy p = policy(R"({"medq_policy": 1, "quantization": {"mode": "affine", "bits": 4,
                        "group_size": 64, "allow_mixed": false}})");
  PolicyEvaluation e = eval(p, m.q4);
  EXPECT_EQ(e.count(RuleStatus::kFail), 0u) << show(e);
  EXPECT_TRUE(e.model_valid);
  EXPECT_EQ(rule(e, "quantization.bits").message,
            "bits 4 in every quantized module (affine 4-bit g64)");

  e = eval(p, m.q8);
  EXPECT_EQ(rule(e, "quantization.bits").status, RuleStatus::kFail);
  EXPECT_EQ(rule(e, "quantization.bits").message,
            "expected bits 4 in every quantized module; found affine 8-bit g64");
  EXPECT_EQ(rule(e, "quantization.mode").status, RuleStatus::kPass);

  e = eval(p, m.mixed);
  EXPECT_EQ(rule(e, "quantization.allow_mixed").status, RuleStatus::kFail) << show(e);
  EXPECT_NE(rule(e, "quantization.allow_mixed").message.find("mixed precision is not allowed"),
            std::string::npos);
  EXPECT_EQ(rule(e, "quantization.bits").status, RuleStatus::kFail);  // the 8-bit modules
  // With mixed precision allowed, bits and group size are those of the main scheme.
  p = policy(R"({"medq_policy": 1, "quantization": {"bits": 4, "allow_mixed": true}})");
  e = eval(p, m.mixed);
  EXPECT_EQ(rule(e, "quantization.bits").status, RuleStatus::kPass) << show(e);
  EXPECT_EQ(e.rules.size(), 2u);  // allow_mixed: true is no rule

  p = policy(R"({"medq_policy": 1, "quantization": {"mode": "none"}})");
  EXPECT_EQ(rule(eval(p, m.bf16), "quantization.mode").status, RuleStatus::kPass);
  EXPECT_EQ(rule(eval(p, m.q4), "quantization.mode").status, RuleStatus::kFail);
  p = policy(R"({"medq_policy": 1, "quantization": {"bits": 4}})");
  EXPECT_EQ(rule(eval(p, m.bf16), "quantization.bits").message,
            "the model is not quantized; expected bits 4");
}

TEST(PolicyEval, Limits) {
  const Models& m = Models::get();
  Validation v = validate_model(m.q4);
  ModelSnapshot s = take_snapshot(v, 8192);
  Policy p = policy(R"({"medq_policy": 1, "limits": {"max_weight_bytes": 1000,
                        "max_directory_bytes": "1 GB", "max_memory_bytes": "1 GiB"}})");
  PolicyEvaluation e = evaluate_policy(p, v, s);
  EXPECT_EQ(rule(e, "limits.max_weight_bytes").status, RuleStatus::kFail);
  EXPECT_EQ(rule(e, "limits.max_weight_bytes").message,
            "weights " + byte_size(s.weight_bytes) + ", over 1.00 kB (1,000 bytes)");
  EXPECT_EQ(rule(e, "limits.max_directory_bytes").status, RuleStatus::kPass);
  EXPECT_EQ(rule(e, "limits.max_memory_bytes").status, RuleStatus::kPass);
  EXPECT_EQ(
      rule(e, "limits.max_memory_bytes").message.rfind("estimated memory at 8,192 tokens ", 0), 0u);
  // A shorter context needs less memory (the KV cache).
  EXPECT_LT(take_snapshot(v, 16).memory_bytes, s.memory_bytes);
}

TEST(PolicyEval, MissingWeightsAreNotMeasured) {
  // Only config.json (it says 4-bit): the rules say the weights are missing instead of
  // measuring an empty, "not quantized" model of 0 bytes.
  const Models& m = Models::get();
  TempDir tmp;
  fs::copy_file(m.q4 / "config.json", tmp.path() / "config.json");
  Policy p = policy(R"({"medq_policy": 1, "quantization": {"mode": "affine", "bits": 4},
                        "limits": {"max_weight_bytes": "1 GB", "max_memory_bytes": "1 GB",
                                   "max_directory_bytes": "1 GB"}})");
  PolicyEvaluation e = eval(p, tmp.path());
  EXPECT_FALSE(e.model_valid);
  for (const char* id : {"quantization.mode", "quantization.bits", "limits.max_weight_bytes",
                         "limits.max_memory_bytes"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(rule(e, id).status, RuleStatus::kSkipped) << show(e);
    EXPECT_NE(rule(e, id).message.find("the weights are missing"), std::string::npos);
  }
  EXPECT_EQ(rule(e, "limits.max_directory_bytes").status, RuleStatus::kPass);  // still measured
}

TEST(PolicyEval, Findings) {
  const Models& m = Models::get();
  TempDir tmp;
  // An unreferenced file that makes up a third of the directory is a warning
  // (directory.size_overhead).
  fs::path dir = tmp.path() / "m";
  fs::copy(m.q4, dir, fs::copy_options::recursive);
  std::ofstream(dir / "notes.bin") << std::string(1000000, 'x');
  Validation v = validate_model(dir);
  ASSERT_GT(count_severity(v.findings, Severity::kWarning), 0u);
  std::string warning;
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kWarning && warning.empty()) warning = f.code;
  }
  Policy p = policy(R"({"medq_policy": 1, "findings": {"fail_on_warnings": true}})");
  PolicyEvaluation e = evaluate_policy(p, v, take_snapshot(v, 8192));
  EXPECT_EQ(rule(e, "findings.fail_on_warnings").status, RuleStatus::kFail);
  EXPECT_TRUE(e.model_valid);
  ASSERT_FALSE(rule(e, "findings.fail_on_warnings").details.empty());
  EXPECT_EQ(rule(e, "findings.fail_on_warnings").details[0].rfind("warning ", 0), 0u);

  // Allowing every warning code present passes.
  std::string allow;
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kWarning) allow += (allow.empty() ? "\"" : ", \"") + f.code + "\"";
  }
  p = policy(R"({"medq_policy": 1, "findings": {"fail_on_warnings": true, "allow": [)" + allow +
             "]}}");
  e = evaluate_policy(p, v, take_snapshot(v, 8192));
  EXPECT_EQ(rule(e, "findings.fail_on_warnings").status, RuleStatus::kPass) << show(e);
  EXPECT_NE(rule(e, "findings.fail_on_warnings").message.find("allowed by findings.allow"),
            std::string::npos);

  // fail_on catches a code at any severity (here an info or warning), by prefix too.
  std::string area = warning.substr(0, warning.find('.'));
  p = policy(R"({"medq_policy": 1, "findings": {"fail_on": [")" + area + R"(.*"]}})");
  e = evaluate_policy(p, v, take_snapshot(v, 8192));
  EXPECT_EQ(rule(e, "findings.fail_on").status, RuleStatus::kFail) << show(e);

  // An error makes the model invalid; allowing its code does not change that.
  fs::remove(dir / "config.json");
  v = validate_model(dir);
  ASSERT_GT(count_severity(v.findings, Severity::kError), 0u);
  std::string error;
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kError && error.empty()) error = f.code;
  }
  p = policy(R"({"medq_policy": 1, "findings": {"allow": [")" + error +
             R"("]}, "limits": {"max_weight_bytes": "1 TB"}})");
  e = evaluate_policy(p, v, take_snapshot(v, 8192));
  EXPECT_FALSE(e.model_valid);
  EXPECT_EQ(rule(e, "validation").status, RuleStatus::kFail);
  EXPECT_NE(rule(e, "validation").message.find("findings.allow does not apply to errors"),
            std::string::npos);
}

TEST(PolicyEval, Fidelity) {
  const Models& m = Models::get();
  Policy p = policy(R"({"medq_policy": 1, "fidelity": {"min_cosine": 0.99,
                        "max_relative_error": 0.2,
                        "components": {"language_model": {"min_cosine": 0.99999},
                                       "vision_tower": {"max_relative_error": 0.5}}}})");
  apply_overrides(p, with_reference(m.bf16));
  PolicyEvaluation e = eval(p, m.q4);
  EXPECT_EQ(rule(e, "fidelity.min_cosine").status, RuleStatus::kPass) << show(e);
  EXPECT_EQ(rule(e, "fidelity.max_relative_error").status, RuleStatus::kPass);
  EXPECT_EQ(rule(e, "fidelity.components.language_model.min_cosine").status, RuleStatus::kFail);
  EXPECT_EQ(rule(e, "fidelity.components.vision_tower.max_relative_error").status,
            RuleStatus::kPass);
  EXPECT_EQ(rule(e, "fidelity.min_cosine")
                .message.rfind("against " + m.bf16.string() + ": mean cosine 0.99", 0),
            0u)
      << rule(e, "fidelity.min_cosine").message;

  // A reference that is not there is a usage error, not a failed rule.
  apply_overrides(p, with_reference(m.bf16 / "nope"));
  EXPECT_THROW(eval(p, m.q4), PolicyInputError);
}

/// 48 token ids below the tiny models' vocabulary, written to `dir`/tokens.txt.
fs::path quality_tokens(const TempDir& tmp, std::vector<uint32_t>* ids) {
  std::string text;
  for (uint32_t i = 0; i < 48; ++i) {
    ids->push_back((i * 37 + 5) % 1000);
    text += std::to_string(ids->back()) + (i % 8 == 7 ? "\n" : " ");
  }
  tmp.write("tokens.txt", text);
  return tmp.path() / "tokens.txt";
}

TEST(PolicyEval, Quality) {
  const Models& m = Models::get();
  TempDir tmp;
  std::vector<uint32_t> ids;
  const fs::path tokens = quality_tokens(tmp, &ids);
  // The numbers the rules judge are those of `medq quality` on the same input.
  QualityOptions qo;
  qo.context = 16;
  QualityRun direct = run_quality(m.bf16.string(), {m.q4.string()}, ids, qo);
  ASSERT_TRUE(direct.outcome.result) << direct.outcome.message;
  const VariantQuality& want = direct.outcome.result->variants.front();
  ASSERT_GT(want.kld.mean, 0);
  ASSERT_LT(want.top1_agreement, 1);

  const std::string section =
      R"({"medq_policy": 1, "quality": {"tokens": ")" + tokens.string() + R"(", "context": 16, )";
  // Thresholds the 4-bit variant meets: every rule passes, saying what it measured.
  Policy p = policy(section + fmt::format(R"("max_mean_kld": {}, "max_kld_p99": 10,
      "min_top1_agreement": 0, "max_ppl_ratio": {}}}}})",
                                          want.kld.mean * 1.01, want.ppl_ratio * 1.01));
  apply_overrides(p, with_reference(m.bf16));
  ASSERT_EQ(policy_usage_problem(p), "");
  PolicyEvaluation e = eval(p, m.q4);
  for (const char* id : {"quality.max_mean_kld", "quality.max_kld_p99",
                         "quality.min_top1_agreement", "quality.max_ppl_ratio"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(rule(e, id).status, RuleStatus::kPass) << show(e);
    EXPECT_TRUE(rule(e, id).details.empty());
    EXPECT_EQ(rule(e, id).message.rfind("against " + m.bf16.string() + " on " + tokens.string() +
                                            " (24 scored positions): ",
                                        0),
              0u)
        << rule(e, id).message;
  }
  EXPECT_NE(rule(e, "quality.max_mean_kld")
                .message.find(fmt::format("mean KLD {:.4g} nats, maximum", want.kld.mean)),
            std::string::npos)
      << rule(e, "quality.max_mean_kld").message;
  ASSERT_TRUE(e.quality);
  EXPECT_EQ(e.quality->reference, m.bf16.string());
  EXPECT_EQ(e.quality->result.scored, 24u);
  EXPECT_FALSE(e.quality->text);
  const VariantQuality& got = e.quality->result.variants.front();
  EXPECT_DOUBLE_EQ(got.kld.mean, want.kld.mean);
  EXPECT_EQ(got.top1_same, want.top1_same);
  EXPECT_DOUBLE_EQ(got.ppl_ratio, want.ppl_ratio);

  // Thresholds it does not meet: each fails, with what was measured as its particulars.
  p = policy(section + R"("max_mean_kld": 1e-9, "max_kld_p99": 1e-9,
      "min_top1_agreement": 1, "max_ppl_ratio": 0.5}})");
  apply_overrides(p, with_reference(m.bf16));
  e = eval(p, m.q4);
  for (const char* id : {"quality.max_mean_kld", "quality.max_kld_p99",
                         "quality.min_top1_agreement", "quality.max_ppl_ratio"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(rule(e, id).status, RuleStatus::kFail) << show(e);
    ASSERT_EQ(rule(e, id).details.size(), 1u);
    EXPECT_EQ(rule(e, id).details[0],
              "48 tokens in 3 chunks of up to 16 tokens, each from an empty cache; positions 8 "
              "to each chunk's end scored");
  }
  EXPECT_NE(rule(e, "quality.min_top1_agreement")
                .message.find(fmt::format("({} of 24 positions), minimum 100.00%", want.top1_same)),
            std::string::npos)
      << rule(e, "quality.min_top1_agreement").message;
}

TEST(PolicyEval, QualityOfTheReferenceItselfIsExact) {
  // The reference measured against itself: KLD exactly 0, top-1 exactly 1, PPL ratio 1, so the
  // strictest thresholds pass.
  const Models& m = Models::get();
  TempDir tmp;
  std::vector<uint32_t> ids;
  const fs::path tokens = quality_tokens(tmp, &ids);
  Policy p = policy(R"({"medq_policy": 1, "quality": {"tokens": ")" + tokens.string() +
                    R"(", "context": 16, "max_mean_kld": 0, "max_kld_p99": 0,
                    "min_top1_agreement": 1, "max_ppl_ratio": 1}})");
  apply_overrides(p, with_reference(m.q4));
  PolicyEvaluation e = eval(p, m.q4);
  EXPECT_EQ(e.count(RuleStatus::kFail), 0u) << show(e);
  ASSERT_TRUE(e.quality);
  const VariantQuality& v = e.quality->result.variants.front();
  EXPECT_EQ(v.kld.mean, 0.0);
  EXPECT_EQ(v.kld.max, 0.0);
  EXPECT_EQ(v.top1_agreement, 1.0);
  EXPECT_EQ(v.ppl_ratio, 1.0);
}

TEST(PolicyEval, QualityInputsAndInvalidModels) {
  const Models& m = Models::get();
  TempDir tmp;
  std::vector<uint32_t> ids;
  const fs::path tokens = quality_tokens(tmp, &ids);
  fs::create_directories(tmp.path() / "config_only");
  fs::copy_file(m.q4 / "config.json", tmp.path() / "config_only/config.json");
  const fs::path invalid = tmp.path() / "config_only";
  const std::string rules = R"("context": 16, "max_mean_kld": 1})";
  auto with_tokens = [&](const fs::path& t) {
    Policy p = policy(R"({"medq_policy": 1, "quality": {"tokens": ")" + t.string() + R"(", )" +
                      rules + "}");
    apply_overrides(p, with_reference(m.bf16));
    return p;
  };
  // An invalid model is not evaluated: the rules are skipped (the verdict is invalid anyway).
  PolicyEvaluation e = eval(with_tokens(tokens), invalid);
  EXPECT_FALSE(e.model_valid);
  EXPECT_EQ(rule(e, "quality.max_mean_kld").status, RuleStatus::kSkipped);
  EXPECT_EQ(rule(e, "quality.max_mean_kld").message,
            "the model has validation errors: it is not evaluated");
  EXPECT_FALSE(e.quality);
  // An invalid reference, a missing or bad token file, a token beyond the vocabulary: usage
  // errors naming the key.
  Policy p = with_tokens(tokens);
  apply_overrides(p, with_reference(invalid));
  try {
    eval(p, m.q4);
    ADD_FAILURE() << "no PolicyInputError";
  } catch (const PolicyInputError& err) {
    EXPECT_EQ(std::string(err.what())
                  .rfind("policy.quality.reference: '" + invalid.string() + "' has ", 0),
              0u)
        << err.what();
  }
  EXPECT_THROW(eval(with_tokens(tmp.path() / "missing.txt"), m.q4), PolicyInputError);
  tmp.write("bad.txt", "1 2 x3");
  try {
    eval(with_tokens(tmp.path() / "bad.txt"), m.q4);
    ADD_FAILURE() << "no PolicyInputError";
  } catch (const PolicyInputError& err) {
    EXPECT_EQ(std::string(err.what()),
              "policy.quality.tokens: " + (tmp.path() / "bad.txt").string() +
                  ": token 3 'x3' is not a decimal token id below 2^32");
  }
  tmp.write("beyond.txt", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 99999");
  try {
    eval(with_tokens(tmp.path() / "beyond.txt"), m.q4);
    ADD_FAILURE() << "no PolicyInputError";
  } catch (const PolicyInputError& err) {
    EXPECT_NE(std::string(err.what()).find("not below the vocabulary size"), std::string::npos)
        << err.what();
  }
}

TEST(PolicyEval, Tokenizer) {
  const Models& m = Models::get();
  Policy p = policy(R"({"medq_policy": 1, "tokenizer": {}})");
  apply_overrides(p, with_reference(m.bf16));  // --reference: the variant to compare with
  PolicyEvaluation e = eval(p, m.q4);
  EXPECT_EQ(rule(e, "tokenizer.identical_to").status, RuleStatus::kPass) << show(e);

  TempDir tmp;
  fs::path dir = tmp.path() / "m";
  fs::copy(m.q4, dir, fs::copy_options::recursive);
  std::ofstream(dir / "tokenizer_config.json", std::ios::app) << " ";
  e = eval(p, dir);
  const RuleResult& r = rule(e, "tokenizer.identical_to");
  EXPECT_EQ(r.status, RuleStatus::kFail);
  ASSERT_EQ(r.details.size(), 1u);
  EXPECT_EQ(r.details[0].rfind("tokenizer_config.json: differs", 0), 0u) << r.details[0];
}

TEST(PolicyEval, Integrity) {
  const Models& m = Models::get();
  TempDir tmp;
  fs::path dir = tmp.path() / "m";
  fs::copy(m.q4, dir, fs::copy_options::recursive);
  fs::path manifest = tmp.path() / "m.manifest.json";
  std::ofstream(manifest) << manifest_to_json(make_manifest(dir).manifest);
  Policy p = policy(R"({"medq_policy": 1})");
  apply_overrides(p, with_manifest(manifest));
  PolicyEvaluation e = eval(p, dir);
  EXPECT_EQ(rule(e, "integrity.manifest").status, RuleStatus::kPass) << show(e);
  std::ofstream(dir / "generation_config.json", std::ios::app) << " ";
  e = eval(p, dir);
  EXPECT_EQ(rule(e, "integrity.manifest").status, RuleStatus::kFail);
  EXPECT_FALSE(rule(e, "integrity.manifest").details.empty());

  apply_overrides(p, with_manifest(tmp.path() / "missing.json"));
  EXPECT_THROW(eval(p, dir), PolicyInputError);
}

TEST(PolicyEval, Baseline) {
  const Models& m = Models::get();
  TempDir tmp;
  // The baseline is the JSON report of a previous check.
  auto report_of = [&](const fs::path& dir, const std::string& name) {
    Validation v = validate_model(dir);
    CheckReport r;
    r.target = dir.string();
    r.policy = "p.json";
    r.model = take_snapshot(v, 8192);
    r.evaluation = evaluate_policy(policy(R"({"medq_policy": 1, "limits": {"max_weight_bytes":
                                             "1 TB"}})"),
                                   v, r.model);
    r.validation = build_validate_report(v, r.target, false);
    fs::path out = tmp.path() / name;
    std::ofstream(out) << render_json(r);
    return out;
  };
  fs::path base = report_of(m.q4, "q4.json");
  BaselineParse read = read_baseline(base);
  ASSERT_TRUE(read.snapshot) << read.error;
  ModelSnapshot now = take_snapshot(validate_model(m.q4), 8192);
  EXPECT_EQ(read.snapshot->tensors, now.tensors);
  EXPECT_EQ(read.snapshot->tensor_set_sha256, now.tensor_set_sha256);
  EXPECT_EQ(read.snapshot->architecture, now.architecture);
  EXPECT_EQ(read.snapshot->weight_bytes, now.weight_bytes);

  Policy p = policy(R"({"medq_policy": 1, "baseline": {"max_size_growth_percent": 10}})");
  apply_overrides(p, with_baseline(base));
  PolicyEvaluation e = eval(p, m.q4);
  EXPECT_EQ(e.count(RuleStatus::kFail), 0u) << show(e);

  // 8-bit: same tensors and architecture, stored differently, bigger.
  e = eval(p, m.q8);
  EXPECT_EQ(rule(e, "baseline.tensor_set").status, RuleStatus::kPass) << show(e);
  EXPECT_NE(rule(e, "baseline.tensor_set").message.find("stored differently"), std::string::npos);
  EXPECT_EQ(rule(e, "baseline.architecture").status, RuleStatus::kPass);
  EXPECT_EQ(rule(e, "baseline.max_size_growth_percent").status, RuleStatus::kFail);

  // Another architecture: tensors added and removed, named; config values changed.
  e = eval(p, m.llama);
  const RuleResult& ts = rule(e, "baseline.tensor_set");
  EXPECT_EQ(ts.status, RuleStatus::kFail);
  ASSERT_FALSE(ts.details.empty());
  EXPECT_TRUE(ts.details[0].starts_with("added: ") || ts.details[0].starts_with("removed: ") ||
              ts.details[0].starts_with("shape changed: "))
      << ts.details[0];
  EXPECT_EQ(rule(e, "baseline.architecture").status, RuleStatus::kFail);
  EXPECT_NE(rule(e, "baseline.architecture").details[0].find(" -> "), std::string::npos);

  // Without a report the baseline rules are skipped.
  Policy skip = policy(R"({"medq_policy": 1, "baseline": {}, "limits": {"max_weight_bytes": 1}})");
  e = eval(skip, m.q4);
  EXPECT_EQ(rule(e, "baseline.tensor_set").status, RuleStatus::kSkipped);
  // A file that is not a check report is a usage error.
  std::ofstream(tmp.path() / "bad.json") << R"({"schema_version": 1, "command": "validate"})";
  apply_overrides(p, with_baseline(tmp.path() / "bad.json"));
  try {
    eval(p, m.q4);
    ADD_FAILURE() << "no error";
  } catch (const PolicyInputError& err) {
    EXPECT_NE(std::string(err.what())
                  .find("not a medq check --format json report (command "
                        "\"validate\", not \"check\")"),
              std::string::npos)
        << err.what();
  }
  // Another JSON file (a manifest, say) names what was expected, not a missing member.
  EXPECT_EQ(parse_baseline(R"({"medq_manifest": 1, "files": []})").error,
            "not a medq check --format json report (no schema_version; no command \"check\")");
  EXPECT_EQ(parse_baseline("[1]").error,
            "not a medq check --format json report (a JSON array, not an object with "
            "schema_version and command \"check\")");
  EXPECT_EQ(parse_baseline(R"({"command": "check"})").error,
            "not a medq check --format json report (no schema_version)");
}

TEST(CheckOutput, Escaping) {
  EXPECT_EQ(markup_escape("a<b>&\"c'\n"), "a&lt;b&gt;&amp;&quot;c&apos;&#10;");
  EXPECT_EQ(markup_escape(std::string("x\x01y\xffz", 5)), "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
  EXPECT_EQ(markup_escape("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(annotation_escape_data("50%\r\nnext: a,b"), "50%25%0D%0Anext: a,b");
  EXPECT_EQ(annotation_escape_property("dir/a:b,c%"), "dir/a%3Ab%2Cc%25");
}

TEST(CheckOutput, JunitAndAnnotations) {
  CheckReport r;
  r.target = "models/4bit";
  r.policy = "policy.json";
  r.evaluation.rules = {{"validation", RuleStatus::kPass, "no errors (0 warnings, 0 info)", {}, {}},
                        {"limits.max_weight_bytes",
                         RuleStatus::kFail,
                         "weights 2 MB, over <1 MB>",
                         {"detail & more"},
                         2e6},
                        {"baseline.tensor_set", RuleStatus::kSkipped, "no baseline", {}, {}}};
  r.validation.findings = {
      {"directory.unreferenced_file", Severity::kWarning, {"notes.bin", "", "", {}, {}, {}}, "x"}};
  EXPECT_EQ(r.verdict(), CheckVerdict::kPolicyFailed);
  EXPECT_EQ(render_junit(r),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="medq" tests="3" failures="1" errors="0" skipped="1">
  <testsuite name="medq check" tests="3" failures="1" errors="0" skipped="1">
    <properties>
      <property name="target" value="models/4bit"/>
      <property name="policy" value="policy.json"/>
      <property name="verdict" value="policy_failed"/>
    </properties>
    <testcase name="validation" classname="medq check models/4bit">
      <system-out>no errors (0 warnings, 0 info)</system-out>
    </testcase>
    <testcase name="limits.max_weight_bytes" classname="medq check models/4bit">
      <failure message="weights 2 MB, over &lt;1 MB&gt;" type="limits.max_weight_bytes">weights 2 MB, over &lt;1 MB&gt;&#10;detail &amp; more</failure>
    </testcase>
    <testcase name="baseline.tensor_set" classname="medq check models/4bit">
      <skipped message="no baseline"/>
    </testcase>
  </testsuite>
</testsuites>
)");
  r.allow = {"directory.*"};  // an allowed warning is not annotated
  EXPECT_EQ(render_github_annotations(r),
            "::error file=policy.json,title=medq check%3A limits.max_weight_bytes::weights 2 MB, "
            "over <1 MB>%0Adetail & more\n"
            "::notice file=policy.json,title=medq check%3A baseline.tensor_set::no baseline\n");
  r.allow.clear();
  EXPECT_EQ(render_github_annotations(r),
            "::error file=policy.json,title=medq check%3A limits.max_weight_bytes::weights 2 MB, "
            "over <1 MB>%0Adetail & more\n"
            "::notice file=policy.json,title=medq check%3A baseline.tensor_set::no baseline\n"
            "::warning file=models/4bit/notes.bin,title=directory.unreferenced_file::x\n");
}

}  // namespace
}  // namespace medq
