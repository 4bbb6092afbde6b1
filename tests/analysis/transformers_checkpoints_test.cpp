// Checkpoints that transformers' save_pretrained wrote: every folder under
// ../shared/realdata/transformers (transformers 5.17, facts.json beside them) and under
// tests/fixtures/transformers (one folder per checkpoint; facts.json, when the folder set has
// one, in the same format) validates without errors in the transformers layout, and medq's
// tensor and parameter counts equal transformers' own (facts.json's disk_tensors and
// disk_params, which the script that wrote the files took from the model: num_parameters()
// without the tied lm_head). Adding a fixture folder adds a case; no edit here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "medq/analysis/variant.hpp"
#include "medq/check/validate.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  fs::path dir;
  std::optional<nlohmann::json> facts;  ///< facts.json's models.<name>, when there is one
};

std::vector<Case> cases_under(const fs::path& root) {
  std::vector<Case> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  std::optional<nlohmann::json> facts;
  if (std::ifstream f(root / "facts.json"); f) facts = nlohmann::json::parse(f);
  for (const auto& e : fs::directory_iterator(root)) {
    if (!e.is_directory() || !fs::exists(e.path() / "config.json")) continue;
    Case c{e.path().filename().string(), e.path(), std::nullopt};
    if (facts && facts->contains("models") && (*facts)["models"].contains(c.name)) {
      c.facts = (*facts)["models"][c.name];
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

std::vector<Case> all_cases() {
  std::vector<Case> all = cases_under(fs::path(MEDQ_REALDATA) / "transformers");
  for (Case& c : cases_under(fs::path(MEDQ_SOURCE_DIR) / "tests/fixtures/transformers")) {
    c.name = "fixtures/" + c.name;
    all.push_back(std::move(c));
  }
  return all;
}

// Warnings that are true of a checkpoint as written (not medq misreading the layout).
const std::map<std::string, std::set<std::string>>& known_warnings() {
  // gemma3-mm: its generation_config.json (from the tiny model's config) ends generation at
  // <eos> only, while its tokenizer's eos_token is <end_of_turn>.
  static const std::map<std::string, std::set<std::string>> w = {
      {"gemma3-mm", {"tokenizer.generation_id_mismatch"}},
      // gemma3-text-f16 (tests/fixtures): Gemma3TextConfig's default eos_token_id 1 went into
      // generation_config.json, while the byte-level BPE tokenizer it was saved with has
      // eos_token "</s>" at another id: true of the files, as save_pretrained wrote them.
      {"fixtures/gemma3-text-f16", {"tokenizer.generation_id_mismatch"}},
      // transformers' FP8 (fine-grained, 128x128 blocks): not an MLX scheme, its packing is not
      // checked; the weights' shapes are.
      {"llama-fp8", {"quant.foreign_method"}}};
  return w;
}

TEST(TransformersCheckpoints, ValidateCleanInTheTransformersLayout) {
  const std::vector<Case> cases = all_cases();
  if (cases.empty()) GTEST_SKIP() << "no transformers checkpoints (../shared/realdata absent)";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Validation v = validate_model(c.dir);
    EXPECT_EQ(v.layout.kind, LayoutKind::kTransformers) << v.layout.evidence;
    std::set<std::string> warnings;
    for (const Finding& f : v.findings) {
      EXPECT_NE(f.severity, Severity::kError) << f.code << ": " << f.message;
      if (f.severity == Severity::kWarning) warnings.insert(f.code);
    }
    auto it = known_warnings().find(c.name);
    EXPECT_EQ(warnings, it == known_warnings().end() ? std::set<std::string>{} : it->second);
  }
}

TEST(TransformersCheckpoints, CountsEqualTransformersOwn) {
  size_t checked = 0;
  for (const Case& c : all_cases()) {
    if (!c.facts || !c.facts->contains("disk_params")) continue;
    SCOPED_TRACE(c.name);
    const VariantStats s = analyze_variant(validate_model(c.dir), c.name);
    EXPECT_EQ(s.params, (*c.facts)["disk_params"].get<uint64_t>());
    EXPECT_EQ(s.tensor_count, (*c.facts)["disk_tensors"].get<uint64_t>());
    // Without a tied lm_head on disk, num_parameters() counts what the files hold.
    if (c.facts->contains("num_parameters")) {
      EXPECT_EQ(s.params, (*c.facts)["num_parameters"].get<uint64_t>());
    }
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no facts.json for the transformers checkpoints";
}

}  // namespace
}  // namespace medq
