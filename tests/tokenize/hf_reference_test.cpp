// medq's ids against Hugging Face's own libraries (tests/tokenize/hf_ids.json, made on a machine
// with them by hf_tokenizers_ids.py): for every string of tests/tokenize/corpus.json and the real
// Gemma 3, Llama 3 and Qwen 3 tokenizers under .deps/ (scripts/setup.sh), the ids of the Rust
// `tokenizers` library (Tokenizer.encode) and of transformers' AutoTokenizer (`tokenizer(text)`),
// with and without special tokens. No exceptions: where @lenml/tokenizers differs
// (lenml_reference_test.cpp), these are the ids medq must give. Also the tiny byte-level BPE
// tokenizers that transformers' save_pretrained wrote into tests/fixtures/transformers/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "medq/tokenize/tokenize_error.hpp"
#include "medq/tokenize/tokenizer.hpp"

namespace medq {
namespace {

const std::filesystem::path kSource = MEDQ_SOURCE_DIR;

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

std::string show(const std::vector<uint32_t>& ids) {
  std::string s;
  for (const uint32_t id : ids) s += std::to_string(id) + " ";
  return s;
}

class HfReference : public ::testing::TestWithParam<std::string> {};

TEST_P(HfReference, SameIdsAsTokenizersAndTransformers) {
  const std::string name = GetParam();
  const auto dir = kSource / ".deps" / ("tokenizer-" + name + "-3.7.2") / "package" / "models";
  if (!std::filesystem::exists(dir / "tokenizer.json")) {
    GTEST_SKIP() << "real tokenizer absent (run scripts/setup.sh): " << dir;
  }
  const nlohmann::json corpus = read_json(kSource / "tests/tokenize/corpus.json");
  const nlohmann::json ref = read_json(kSource / "tests/tokenize/hf_ids.json");
  const Tokenizer tok = Tokenizer::load(dir);
  const auto& cases = ref["tokenizers"][name]["cases"];
  ASSERT_EQ(cases.size(), corpus["cases"].size()) << "regenerate hf_ids.json";
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string text = corpus["cases"][i]["text"];
    const std::string case_name = cases[i]["name"];
    ASSERT_EQ(case_name, corpus["cases"][i]["name"]);
    const std::string got = show(tok.encode(text, true));
    const std::string got_plain = show(tok.encode(text, false));
    EXPECT_EQ(got, show(cases[i]["tokenizers_ids"].get<std::vector<uint32_t>>()))
        << name << " / " << case_name << " (tokenizers)";
    EXPECT_EQ(got, show(cases[i]["transformers_ids"].get<std::vector<uint32_t>>()))
        << name << " / " << case_name << " (transformers)";
    EXPECT_EQ(got_plain, show(cases[i]["tokenizers_ids_no_special"].get<std::vector<uint32_t>>()))
        << name << " / " << case_name << " (tokenizers, no special)";
    EXPECT_EQ(got_plain, show(cases[i]["transformers_ids_no_special"].get<std::vector<uint32_t>>()))
        << name << " / " << case_name << " (transformers, no special)";
  }
}

INSTANTIATE_TEST_SUITE_P(RealTokenizers, HfReference,
                         ::testing::Values("gemma3", "llama3", "qwen3"));

TEST(HfReference, TokenizersThatSavePretrainedWrote) {
  const auto root = kSource / "tests/fixtures/transformers";
  const nlohmann::json facts = read_json(root / "facts.json");
  const auto want = facts["ids"].get<std::vector<uint32_t>>();
  const std::string prompt = facts["prompt"];
  ASSERT_FALSE(facts["models"].empty());
  std::set<std::string> fingerprints;
  for (const auto& [name, model] : facts["models"].items()) {
    const Tokenizer tok = Tokenizer::load(root / name);
    EXPECT_EQ(show(tok.encode(prompt, true)), show(want)) << name;
    // The fingerprint from the files alone is the loaded tokenizer's; the five folders hold the
    // same tokenizer files, so one fingerprint.
    EXPECT_EQ(Tokenizer::fingerprint_of(root / name), tok.fingerprint()) << name;
    fingerprints.insert(tok.fingerprint());
  }
  EXPECT_EQ(fingerprints.size(), 1u);
  EXPECT_THROW(Tokenizer::fingerprint_of(root), TokenizeError);  // no tokenizer files there
}

}  // namespace
}  // namespace medq
