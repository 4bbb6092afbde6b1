// Choosing among variants: the most precise one, the variant a --baseline or --reference names,
// the variants under --root, and fidelity of several variants against one reference.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "../support/temp_dir.hpp"
#include "checkpoint.hpp"
#include "medq/analysis/comparison.hpp"
#include "medq/analysis/fidelity_run.hpp"
#include "medq/analysis/variant.hpp"
#include "quant_plan.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(PrecisionOrder, MostBitsFirstUnknownLastTiesInInputOrder) {
  const std::vector<std::optional<double>> bits = {std::nullopt, 4.5, 8.5, 4.5, std::nullopt};
  EXPECT_EQ(precision_order(bits), (std::vector<size_t>{2, 1, 3, 0, 4}));
  EXPECT_EQ(most_precise(bits), 2u);
}

TEST(PrecisionOrder, UnknownBitsNeverWinOverAKnownZero) {
  // Counting unknown as 0 bits would pick the first variant; unknown ranks below any number.
  const std::vector<std::optional<double>> bits = {std::nullopt, 0.0};
  EXPECT_EQ(most_precise(bits), 1u);
  EXPECT_EQ(most_precise(std::vector<std::optional<double>>{}), 0u);
  EXPECT_EQ(most_precise(std::vector<std::optional<double>>{std::nullopt, std::nullopt}), 0u);
}

TEST(FindVariant, ByLabelThenBySameDirectory) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "a");
  fs::create_directories(tmp.path() / "b");
  fs::create_symlink(tmp.path() / "b", tmp.path() / "link");
  const std::vector<CompareInput> inputs = {{"a", tmp.path() / "a"}, {"4bit", tmp.path() / "b"}};
  EXPECT_EQ(find_variant(inputs, "4bit"), 1u);
  EXPECT_EQ(find_variant(inputs, (tmp.path() / "a").string()), 0u);
  EXPECT_EQ(find_variant(inputs, (tmp.path() / "." / "b").string()), 1u);
  EXPECT_EQ(find_variant(inputs, (tmp.path() / "link").string()), 1u);
  EXPECT_EQ(find_variant(inputs, (tmp.path() / "nope").string()), std::nullopt);
  EXPECT_EQ(find_variant(inputs, "b"), std::nullopt);  // neither a label nor (here) a path
}

TEST(DiscoverVariants, RealSubfoldersWithAConfigSortedByName) {
  TempDir tmp;
  for (const char* d : {"q8", "q4", "empty"}) fs::create_directories(tmp.path() / d);
  std::ofstream(tmp.path() / "q8" / "config.json") << "{}";
  std::ofstream(tmp.path() / "q4" / "config.json") << "{}";
  fs::create_directory_symlink(tmp.path() / "q8", tmp.path() / "linked");
  const auto inputs = discover_variants(tmp.path());
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].label, "q4");
  EXPECT_EQ(inputs[0].dir, tmp.path() / "q4");
  EXPECT_EQ(inputs[1].label, "q8");
  EXPECT_THROW(discover_variants(tmp.path() / "empty"), std::runtime_error);
}

class MeasureVariants : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto [name, bits] : std::vector<std::pair<const char*, unsigned>>{{"q4", 4}, {"q8", 8}}) {
      fs::path dir = tmp_.path() / name;
      fs::create_directories(dir);
      synth::write_checkpoint(dir, synth::tiny_llama(), synth::plan_affine(bits, 64), {});
      dirs_.push_back(dir.string());
    }
  }
  TempDir tmp_;
  std::vector<std::string> dirs_;
};

TEST_F(MeasureVariants, TheMostPreciseIsTheDefaultReference) {
  FidelityRequest req;
  req.dirs = dirs_;
  FidelityRun run = measure_variants(req);
  ASSERT_EQ(run.variants.size(), 1u);
  EXPECT_EQ(run.variants[0].label, dirs_[0]);
  EXPECT_EQ(run.variants[0].reference, dirs_[1]);
  ASSERT_EQ(run.validation_errors.size(), 2u);
  EXPECT_EQ(run.validation_errors[0], std::make_pair(dirs_[0], size_t{0}));
}

TEST_F(MeasureVariants, AReferenceGivenAsAnotherSpellingOfAVariantIsNotMeasuredAgainstItself) {
  FidelityRequest req;
  req.dirs = dirs_;
  req.reference = (tmp_.path() / "." / "q4").string();
  std::vector<std::string> steps;
  req.progress = [&](std::string_view step, uint64_t, uint64_t) {
    if (steps.empty() || steps.back() != step) steps.emplace_back(step);
  };
  FidelityRun run = measure_variants(req);
  ASSERT_EQ(run.variants.size(), 1u);
  EXPECT_EQ(run.variants[0].label, dirs_[1]);
  EXPECT_EQ(run.variants[0].reference, req.reference);
  EXPECT_EQ(run.validation_errors.size(), 2u);  // no third entry for the reference
  EXPECT_EQ(steps, std::vector<std::string>{"comparing " + dirs_[1]});
}

TEST_F(MeasureVariants, NothingBesidesTheReferenceIsAnError) {
  FidelityRequest req;
  req.dirs = {dirs_[0]};
  req.reference = dirs_[0];
  EXPECT_THROW(measure_variants(req), std::invalid_argument);
}

}  // namespace
}  // namespace medq
