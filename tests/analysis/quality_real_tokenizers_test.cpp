// `medq quality` from text with the real Gemma 3, Llama 3 and Qwen 3 tokenizers (.deps/, from
// scripts/setup.sh; skips, saying so, without them): tiny random models of each family whose
// vocabulary is the real tokenizer's, carrying its files, bf16 against 4-bit, on the bundled
// evaluation text. The text must give at least 8 chunks of 512 tokens with every tokenizer
// (docs/quality.md), the ids must be the tokenizer's own, and the variant against itself 0 / 1.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/quality/eval_text.hpp"
#include "medq/tokenize/tokenizer.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

struct Case {
  const char* tokenizer;
  const char* arch;       // "gemma3_text" or a llama-family model_type
  uint64_t vocab;         // config vocab_size: the tokenizer's size rounded as the models do
  int64_t bos, eos, pad;  // the tokenizer's special ids, for config.json
};

class QualityRealTokenizer : public ::testing::TestWithParam<Case> {};

TEST_P(QualityRealTokenizer, BundledTextBf16Against4Bit) {
  const Case c = GetParam();
  const fs::path tok = fs::path(MEDQ_SOURCE_DIR) / ".deps" /
                       (std::string("tokenizer-") + c.tokenizer + "-3.7.2") / "package" / "models";
  if (!fs::exists(tok / "tokenizer.json")) {
    GTEST_SKIP() << "real tokenizer absent (run scripts/setup.sh): " << tok;
  }
  testing::TempDir tmp;
  synth::Arch a =
      std::string(c.arch) == "gemma3_text" ? synth::tiny_gemma3_text() : synth::tiny_text(c.arch);
  a.text.vocab = c.vocab;
  a.ids.bos = c.bos;
  a.ids.eos = c.eos;
  a.ids.pad = c.pad;
  synth::GenerateOptions o;
  o.real_tokenizer_dir = tok;
  const fs::path bf16 = tmp.path() / "bf16", q4 = tmp.path() / "q4";
  fs::create_directories(bf16);
  fs::create_directories(q4);
  synth::write_checkpoint(bf16, a, {}, o);
  synth::write_checkpoint(q4, a, synth::plan_affine(4, 64), o);
  // The generator's special_tokens_map.json names Gemma's tokens; the real tokenizer's folder
  // has none, so neither do the models.
  fs::remove(bf16 / "special_tokens_map.json");
  fs::remove(q4 / "special_tokens_map.json");

  // The bundled text gives at least 8 chunks of 512 with this tokenizer.
  const Tokenizer tokenizer = Tokenizer::load(tok);
  EXPECT_GE(tokenizer.encode(bundled_eval_text(), true).size(), 8u * 512)
      << "the bundled text is too short for " << c.tokenizer;
  // The run itself on its first 2,000 bytes (cut at a line end), in chunks of 128 scored from
  // 112: a real-size vocabulary makes every scored position a full softmax (and a row of the
  // reference's log-probabilities on disk), and CI runs this under ASan too.
  const std::string_view all = bundled_eval_text();
  const std::string text(all.substr(0, all.find('\n', 2000) + 1));
  QualityOptions opt;
  opt.context = 128;
  opt.score_from = 112;
  const QualityRun run = run_quality_text(bf16.string(), {q4.string(), bf16.string()}, text,
                                          "clinical_en.txt (first 2,000 bytes)", false, opt);
  for (const auto& [dir, errors] : run.validation_errors) EXPECT_EQ(errors, 0u) << dir;
  ASSERT_TRUE(run.outcome.result) << run.outcome.message;
  const QualityResult& r = *run.outcome.result;
  EXPECT_EQ(r.tokens, tokenizer.encode(text, true).size());
  EXPECT_GE(r.chunks, 2u);
  ASSERT_TRUE(run.text);
  EXPECT_EQ(run.text->tokenizer_fingerprint, Tokenizer::fingerprint_of(tok));
  ASSERT_EQ(r.variants.size(), 2u);
  EXPECT_GT(r.variants[0].kld.mean, 0.0);
  EXPECT_TRUE(std::isfinite(r.variants[0].kld.mean));
  EXPECT_LT(r.variants[0].top1_agreement, 1.0);
  EXPECT_EQ(r.variants[1].kld.mean, 0.0);  // the reference against itself
  EXPECT_EQ(r.variants[1].kld.max, 0.0);
  EXPECT_EQ(r.variants[1].top1_agreement, 1.0);
  EXPECT_GT(r.reference.ppl, 1.0);
}

INSTANTIATE_TEST_SUITE_P(RealTokenizers, QualityRealTokenizer,
                         ::testing::Values(Case{"gemma3", "gemma3_text", 262208, 2, 1, 0},
                                           Case{"llama3", "llama", 128256, 128000, 128001, 128001},
                                           Case{"qwen3", "qwen3", 151936, 151643, 151645, 151643}),
                         [](const auto& p) { return std::string(p.param.tokenizer); });

}  // namespace
}  // namespace medq
