// medq's forward pass and quality statistics checked against implementations nobody here wrote:
// tests/quality/forward_reference.py (NumPy, float64, its own safetensors parsing and
// dequantization) for every architecture family and quantization mode on tiny generated models,
// and, when ../shared/realdata is present, transformers' own log-probabilities of real
// transformers-written checkpoints (facts.json).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "../support/run_command.hpp"
#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/check/validate.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/quality/forward_config.hpp"
#include "medq/quality/quality.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::numpy_available;
using testing::TempDir;

std::string script() {
  return std::string(MEDQ_SOURCE_DIR) + "/tests/quality/forward_reference.py";
}

std::string csv(const std::vector<uint32_t>& t) {
  std::string s;
  for (uint32_t v : t) s += (s.empty() ? "" : ",") + std::to_string(v);
  return s;
}

std::vector<uint32_t> test_tokens(size_t n, uint32_t vocab, uint64_t seed = 7) {
  std::vector<uint32_t> t;
  uint64_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    t.push_back(static_cast<uint32_t>((x >> 33) % vocab));
  }
  return t;
}

/// A validated checkpoint and its tensors, kept together.
struct Loaded {
  Validation v;
  LogicalTensors t;
  QualityModel model() const { return {v.dir.root.string(), v.dir.storage, v.config(), &t}; }
};

std::unique_ptr<Loaded> load(const fs::path& dir) {
  auto l = std::make_unique<Loaded>();
  l->v = validate_model(dir);
  l->t = logical_tensors(l->v.checkpoint, l->v.quant, l->v.arch);
  return l;
}

synth::Arch arch_named(const std::string& name) {
  if (name == "gemma3") {
    synth::Arch a = synth::tiny_gemma3();
    a.sliding_window = 8;  // layer 0 sliding, layer 1 global
    a.sliding_window_pattern = 2;
    return a;
  }
  if (name == "gemma3_text") {
    synth::Arch a = synth::tiny_gemma3_text();
    a.sliding_window = 8;
    a.sliding_window_pattern = 2;
    return a;
  }
  synth::Arch a = synth::tiny_text(name == "llama3" || name == "llama_untied" ? "llama" : name);
  if (name == "llama3") a.llama3_rope = true;
  if (name == "llama_untied") a.tie_embeddings = false;
  if (name == "mistral") a.sliding_window = 8;
  return a;
}

struct Case {
  std::string name, arch;
  synth::QuantPlan plan;
};

std::vector<Case> cases() {
  std::vector<Case> c;
  for (const char* a :
       {"gemma3", "gemma3_text", "llama", "llama3", "llama_untied", "mistral", "qwen2", "qwen3"}) {
    c.push_back({std::string(a) + "_bf16", a, synth::QuantPlan{}});
    c.push_back({std::string(a) + "_affine4", a, synth::plan_affine(4, 64)});
  }
  c.push_back({"qwen3_affine2_g32", "qwen3", synth::plan_affine(2, 32)});
  c.push_back({"qwen3_affine3_g128", "qwen3", synth::plan_affine(3, 128)});
  c.push_back({"llama_affine5", "llama", synth::plan_affine(5, 64)});
  c.push_back({"llama_affine6", "llama", synth::plan_affine(6, 64)});
  c.push_back({"gemma3_text_affine8", "gemma3_text", synth::plan_affine(8, 64)});
  c.push_back({"gemma3_text_mxfp4", "gemma3_text", synth::plan_fp("mxfp4")});
  c.push_back({"gemma3_text_mxfp8", "gemma3_text", synth::plan_fp("mxfp8")});
  c.push_back({"qwen2_nvfp4", "qwen2", synth::plan_fp("nvfp4")});
  c.push_back(
      {"gemma3_mixed_3_6", "gemma3", synth::plan_mixed("mixed_3_6", arch_named("gemma3"), {})});
  return c;
}

class ForwardVsNumpy : public ::testing::TestWithParam<int> {};

TEST_P(ForwardVsNumpy, LogitsAgree) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy not found (python3-numpy)";
  const Case c = cases()[static_cast<size_t>(GetParam())];
  TempDir tmp;
  const fs::path dir = tmp.path() / "m";
  fs::create_directories(dir);
  const synth::Arch a = arch_named(c.arch);
  synth::write_checkpoint(dir, a, c.plan, {});
  auto m = load(dir);
  ASSERT_EQ(count_severity(m->v.findings, Severity::kError), 0u);
  // Longer than the sliding window (8) of gemma3 and mistral.
  const std::vector<uint32_t> tokens = test_tokens(24, 1000);
  const auto j =
      nlohmann::json::parse(testing::command_output("/usr/bin/python3 " + script() + " logits " +
                                                    dir.string() + " " + csv(tokens)),
                            nullptr, false);
  ASSERT_TRUE(j.is_object());
  const auto& ref = j["logits"];
  ASSERT_EQ(ref.size(), tokens.size());
  const size_t V = ref[0].size();
  // Both matrix products: the own kernel (where the CPU has AVX2 and FMA) and OpenBLAS's.
  for (GemmKernel kernel : {GemmKernel::kAuto, GemmKernel::kBlas}) {
    std::string err;
    auto logits = chunk_logits(m->model(), tokens, &err, nullptr, 0, kernel);
    ASSERT_TRUE(logits) << err;
    ASSERT_EQ(logits->size(), tokens.size() * V);
    double scale = 0, worst = 0;
    for (size_t i = 0; i < tokens.size(); ++i)
      for (size_t v = 0; v < V; ++v) {
        const double r = ref[i][v].get<double>();
        scale = std::max(scale, std::fabs(r));
        worst = std::max(worst, std::fabs(r - (*logits)[i * V + v]));
      }
    EXPECT_GT(scale, 0.1);
    EXPECT_LE(worst, 1e-4 * scale)
        << c.name << (kernel == GemmKernel::kBlas ? " (OpenBLAS)" : " (own kernel)")
        << ": max |medq - numpy| " << worst << ", scale " << scale;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ForwardVsNumpy,
                         ::testing::Range(0, static_cast<int>(cases().size())),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return cases()[static_cast<size_t>(i.param)].name;
                         });

void expect_rel(double medq, double numpy, double rel, const char* what) {
  EXPECT_NEAR(medq, numpy, rel * std::max(std::fabs(numpy), 1e-9)) << what;
}

class StatsVsNumpy : public ::testing::TestWithParam<const char*> {};

TEST_P(StatsVsNumpy, KldTop1PplAgree) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy not found (python3-numpy)";
  TempDir tmp;
  const fs::path rd = tmp.path() / "ref", vd = tmp.path() / "var";
  fs::create_directories(rd);
  fs::create_directories(vd);
  const synth::Arch a = arch_named(GetParam());
  synth::write_checkpoint(rd, a, synth::QuantPlan{}, {});
  synth::write_checkpoint(vd, a, synth::plan_affine(3, 64), {});
  auto r = load(rd), v = load(vd);
  // 76 tokens in chunks of 32 scored from position 10: 22 + 22 + 2 positions (the last chunk,
  // of 12 tokens, scored too).
  const std::vector<uint32_t> tokens = test_tokens(76, 1000, 11);
  QualityOptions o;
  o.context = 32;
  o.score_from = 10;
  const QualityModel vm = v->model();
  QualityOutcome out = evaluate_quality(r->model(), std::span(&vm, 1), tokens, o);
  ASSERT_TRUE(out.result) << out.message;
  const QualityResult& q = *out.result;
  const auto j = nlohmann::json::parse(
      testing::command_output("/usr/bin/python3 " + script() + " stats " + rd.string() + " " +
                              vd.string() + " " + csv(tokens) + " 32 10"),
      nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(q.chunks, 3u);
  EXPECT_EQ(q.scored, j["scored"].get<uint64_t>());
  EXPECT_EQ(q.with_next, j["with_next"].get<uint64_t>());
  EXPECT_EQ(q.scored, 46u);
  EXPECT_EQ(q.with_next, 43u);
  const VariantQuality& s = q.variants.at(0);
  expect_rel(s.kld.mean, j["kld_mean"].get<double>(), 1e-3, "kld mean");
  expect_rel(s.kld.median, j["kld_median"].get<double>(), 1e-3, "kld median");
  expect_rel(s.kld.max, j["kld_max"].get<double>(), 1e-3, "kld max");
  for (const auto& [p, val] : s.kld.percentiles) {
    if (p == 99.0) expect_rel(val, j["kld_p99"].get<double>(), 1e-3, "kld p99");
    if (p == 10.0) expect_rel(val, j["kld_p10"].get<double>(), 1e-3, "kld p10");
  }
  EXPECT_NEAR(s.top1_agreement, j["top1"].get<double>(), 1.0 / static_cast<double>(q.scored));
  expect_rel(q.reference.ppl, j["ppl_ref"].get<double>(), 1e-5, "reference ppl");
  expect_rel(s.ppl, j["ppl_var"].get<double>(), 1e-5, "variant ppl");
  EXPECT_NEAR(s.delta_p.mean, j["dp_mean"].get<double>(), 1e-7);
  expect_rel(s.delta_p.rms, j["dp_rms"].get<double>(), 1e-3, "dp rms");
  EXPECT_GT(s.kld.mean, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Families, StatsVsNumpy,
                         ::testing::Values("gemma3_text", "llama3", "mistral", "qwen2"));

TEST(Quality, ChunkingRule) {
  // 70 tokens, chunks of 32 scored from 10: [0,32) [32,64) [64,70); the last has 6 tokens, so
  // nothing to score: it is not run.
  const auto c = plan_chunks(70, 32, 10);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].begin, 32u);
  EXPECT_EQ(c[1].length, 32u);
  const auto d = plan_chunks(75, 32, 10);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].length, 11u);
  EXPECT_TRUE(plan_chunks(10, 32, 16).empty());
}

TEST(Quality, VariantAgainstItselfIsExactlyZero) {
  TempDir tmp;
  const fs::path d = tmp.path() / "q4";
  fs::create_directories(d);
  synth::write_checkpoint(d, arch_named("gemma3"), synth::plan_affine(4, 64), {});
  auto m = load(d);
  const std::vector<uint32_t> tokens = test_tokens(40, 1000);
  QualityOptions o;
  o.context = 20;
  const QualityModel vm = m->model();
  QualityOutcome out = evaluate_quality(m->model(), std::span(&vm, 1), tokens, o);
  ASSERT_TRUE(out.result) << out.message;
  const VariantQuality& s = out.result->variants.at(0);
  EXPECT_EQ(out.result->score_from, 10u);
  EXPECT_EQ(out.result->scored, 20u);
  EXPECT_EQ(s.kld.mean, 0.0);
  EXPECT_EQ(s.kld.max, 0.0);
  EXPECT_EQ(s.kld.min, 0.0);
  EXPECT_EQ(s.top1_agreement, 1.0);
  EXPECT_EQ(s.ppl_ratio, 1.0);
  EXPECT_EQ(s.delta_p.rms, 0.0);
}

TEST(Quality, RefusesWhatItCannotEvaluate) {
  std::string why;
  nlohmann::json base = {{"model_type", "llama"},    {"hidden_size", 64},
                         {"num_hidden_layers", 1},   {"num_attention_heads", 2},
                         {"intermediate_size", 128}, {"vocab_size", 100}};
  EXPECT_TRUE(parse_forward_config(base, &why)) << why;
  auto with = [&](const char* k, nlohmann::json v) {
    nlohmann::json c = base;
    c[k] = std::move(v);
    return c;
  };
  EXPECT_FALSE(parse_forward_config(with("final_logit_softcapping", 30.0), &why));
  EXPECT_NE(why.find("final_logit_softcapping"), std::string::npos) << why;
  EXPECT_FALSE(
      parse_forward_config(with("rope_scaling", {{"rope_type", "yarn"}, {"factor", 4}}), &why));
  EXPECT_NE(why.find("yarn"), std::string::npos) << why;
  EXPECT_FALSE(parse_forward_config(with("hidden_act", "gelu"), &why));
  EXPECT_NE(why.find("hidden_act"), std::string::npos) << why;
  EXPECT_FALSE(parse_forward_config(with("model_type", "phi3"), &why));
  EXPECT_NE(why.find("phi3"), std::string::npos) << why;
  EXPECT_FALSE(parse_forward_config(with("partial_rotary_factor", 0.5), &why));
  nlohmann::json g = {{"model_type", "gemma3"},
                      {"text_config", {{"hidden_size", 64}, {"attn_logit_softcapping", 50.0}}}};
  EXPECT_FALSE(parse_forward_config(g, &why));
  EXPECT_NE(why.find("text_config.attn_logit_softcapping"), std::string::npos) << why;
}

TEST(Quality, TokenBeyondVocabularyIsAUsageError) {
  TempDir tmp;
  const fs::path d = tmp.path() / "m";
  fs::create_directories(d);
  synth::write_checkpoint(d, arch_named("llama"), synth::QuantPlan{}, {});
  auto m = load(d);
  const std::vector<uint32_t> tokens = {1, 2, 3, 4, 1024, 5};
  QualityOptions o;
  o.context = 6;
  const QualityModel vm = m->model();
  QualityOutcome out = evaluate_quality(m->model(), std::span(&vm, 1), tokens, o);
  EXPECT_FALSE(out.result);
  EXPECT_EQ(out.error, QualityError::kUsage);
  EXPECT_NE(out.message.find("1024"), std::string::npos) << out.message;
}

// transformers' log-probabilities (top 8 and log-sum-exp at the first positions of a prompt,
// computed in the stored dtype) of real transformers-written checkpoints.
TEST(QualityRealData, MatchesTransformersFacts) {
  const fs::path root = fs::path(MEDQ_REALDATA) / "transformers";
  if (!fs::exists(root / "facts.json"))
    GTEST_SKIP() << "no " << (root / "facts.json").string() << " (shared real data absent)";
  std::ifstream f(root / "facts.json");
  const auto facts = nlohmann::json::parse(f);
  for (const auto& [name, m] : facts["models"].items()) {
    SCOPED_TRACE(name);
    if (!m.contains("logits")) continue;
    const fs::path dir = root / name;
    auto l = load(dir);
    const auto& lg = m["logits"];
    std::vector<uint32_t> ids;
    for (const auto& x : lg["ids"]) ids.push_back(x.get<uint32_t>());
    std::string err;
    QualityError kind = QualityError::kNone;
    auto logits = chunk_logits(l->model(), ids, &err, &kind);
    if (name == "phi3") {
      EXPECT_FALSE(logits);
      EXPECT_EQ(kind, QualityError::kUnsupported) << err;
      continue;
    }
    ASSERT_TRUE(logits) << err;
    const size_t V = logits->size() / ids.size();
    // Stored dtype compute (bf16 / f16 in transformers) against medq's float32: the tolerance
    // is that of the stored dtype's rounding through two tiny layers (measured: bf16 <= 0.002,
    // f16 <= 0.0004).
    const double tol = name == "mistral" ? 0.002 : 0.01;
    double worst = 0;
    size_t top1_same = 0;
    for (size_t i = 0; i < lg["top_ids"].size(); ++i) {
      const float* row = logits->data() + i * V;
      double mx = row[0];
      size_t arg = 0;
      for (size_t v = 0; v < V; ++v)
        if (row[v] > mx) {
          mx = row[v];
          arg = v;
        }
      double sum = 0;
      for (size_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(row[v]) - mx);
      const double lse = mx + std::log(sum);
      worst = std::max(worst, std::fabs(lse - lg["logsumexp"][i].get<double>()));
      for (size_t k = 0; k < lg["top_ids"][i].size(); ++k) {
        const auto id = lg["top_ids"][i][k].get<size_t>();
        const double lp = row[id] - lse;
        worst = std::max(worst, std::fabs(lp - lg["top_logprobs"][i][k].get<double>()));
      }
      top1_same += arg == lg["top_ids"][i][0].get<size_t>();
    }
    EXPECT_LE(worst, tol) << name << ": max |log-prob difference| " << worst;
    std::printf(
        "[ realdata ] %s: max |log p medq - log p transformers| = %.3g over %zu positions, "
        "top-1 same at %zu\n",
        name.c_str(), worst, lg["top_ids"].size(), top1_same);
  }
}

// Logits of Hugging Face transformers (float32, eager attention) for the committed fixtures,
// written by tests/reference/transformers_logits.py on a machine that has transformers.
const std::vector<uint32_t> kTransformersTokens = {2,   17, 301, 5,  999, 64,
                                                   128, 7,  512, 33, 250, 811};

fs::path fixtures() { return fs::path(MEDQ_SOURCE_DIR) / "tests/reference/fixtures"; }

std::optional<std::vector<float>> transformers_logits(const std::string& name) {
  std::ifstream f(fixtures() / (name + ".logits.f32"), std::ios::binary);
  if (!f) return std::nullopt;
  std::vector<float> v;
  float x;
  while (f.read(reinterpret_cast<char*>(&x), sizeof x)) v.push_back(x);
  return v;
}

TEST(QualityTransformers, LogitsAgree) {
  if (!fs::exists(fixtures() / "transformers_logits.json"))
    GTEST_SKIP()
        << "no transformers logits yet: run python3 tests/reference/transformers_logits.py "
           "on a machine with transformers and torch";
  size_t compared = 0;
  for (const auto& e : fs::directory_iterator(fixtures())) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    SCOPED_TRACE(name);
    auto expected = transformers_logits(name);
    ASSERT_TRUE(expected) << "no " << name << ".logits.f32";
    auto m = load(e.path());
    std::string err;
    auto got = chunk_logits(m->model(), kTransformersTokens, &err);
    ASSERT_TRUE(got) << err;
    ASSERT_EQ(got->size(), expected->size());
    double scale = 0, worst = 0;
    for (size_t i = 0; i < got->size(); ++i) {
      scale = std::max(scale, std::fabs(static_cast<double>((*expected)[i])));
      worst = std::max(worst, std::fabs(static_cast<double>((*expected)[i]) - (*got)[i]));
    }
    EXPECT_LE(worst, 1e-4 * scale)
        << name << ": max |medq - transformers| " << worst << ", logit scale " << scale;
    std::printf("[ transformers ] %s: max |medq - transformers| = %.3g, logit scale %.3g\n",
                name.c_str(), worst, scale);
    ++compared;
  }
  EXPECT_GE(compared, 6u);
}

TEST(QualityTransformers, StatisticsAgree) {
  auto ref = transformers_logits("gemma3_text_8bit"), var = transformers_logits("gemma3_text_4bit");
  if (!ref || !var)
    GTEST_SKIP()
        << "no transformers logits yet: run python3 tests/reference/transformers_logits.py";
  // The statistics of one chunk of 12 tokens scored from position 6, from transformers' logits.
  const size_t T = kTransformersTokens.size(), V = ref->size() / T;
  double kld = 0, nll_r = 0, nll_v = 0;
  size_t same = 0, n_next = 0;
  for (size_t i = 6; i < T; ++i) {
    auto lsm = [&](const std::vector<float>& l) {
      std::vector<double> o(V);
      double mx = -1e300;
      for (size_t v = 0; v < V; ++v) mx = std::max(mx, static_cast<double>(l[i * V + v]));
      double s = 0;
      for (size_t v = 0; v < V; ++v) s += std::exp(l[i * V + v] - mx);
      for (size_t v = 0; v < V; ++v) o[v] = l[i * V + v] - mx - std::log(s);
      return o;
    };
    const auto a = lsm(*ref), b = lsm(*var);
    double d = 0;
    for (size_t v = 0; v < V; ++v) d += std::exp(a[v]) * (a[v] - b[v]);
    kld += d;
    same += std::max_element(a.begin(), a.end()) - a.begin() ==
            std::max_element(b.begin(), b.end()) - b.begin();
    if (i + 1 < T) {
      nll_r -= a[kTransformersTokens[i + 1]];
      nll_v -= b[kTransformersTokens[i + 1]];
      ++n_next;
    }
  }
  auto r = load(fixtures() / "gemma3_text_8bit"), v = load(fixtures() / "gemma3_text_4bit");
  QualityOptions o;
  o.context = 12;
  o.score_from = 6;
  const QualityModel vm = v->model();
  QualityOutcome out = evaluate_quality(r->model(), std::span(&vm, 1), kTransformersTokens, o);
  ASSERT_TRUE(out.result) << out.message;
  const VariantQuality& q = out.result->variants.at(0);
  expect_rel(q.kld.mean, kld / 6.0, 1e-3, "mean KLD");
  EXPECT_NEAR(q.top1_agreement, static_cast<double>(same) / 6.0, 1e-12);
  expect_rel(out.result->reference.ppl, std::exp(nll_r / static_cast<double>(n_next)), 1e-5,
             "reference ppl");
  expect_rel(q.ppl, std::exp(nll_v / static_cast<double>(n_next)), 1e-5, "variant ppl");
}

}  // namespace
}  // namespace medq
