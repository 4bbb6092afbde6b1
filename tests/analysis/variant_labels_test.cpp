// Variant labels: the repository id, or the shortest path suffix that tells folders apart; and
// the model's name for a title.
#include "medq/analysis/variant_labels.hpp"

#include <gtest/gtest.h>

#include "../support/temp_dir.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

LabelInput path(const std::string& p) { return {p, p, "", ""}; }
LabelInput repo(const std::string& id, const std::string& dir, const std::string& commit) {
  return {id, dir, id, commit};
}

TEST(VariantLabels, LastComponentWhenThatIsEnough) {
  EXPECT_EQ(variant_labels({path("model/bf16"), path("model/6bit"), path("/abs/x/4bit/")}),
            (std::vector<std::string>{"bf16", "6bit", "4bit"}));
}

TEST(VariantLabels, LongerSuffixesOnlyForThoseThatCollide) {
  EXPECT_EQ(variant_labels({path("/a/gemma/4bit"), path("/b/gemma/4bit"), path("/a/gemma/bf16")}),
            (std::vector<std::string>{"a/gemma/4bit", "b/gemma/4bit", "bf16"}));
  EXPECT_EQ(variant_labels({path("x/4bit"), path("y/4bit")}),
            (std::vector<std::string>{"x/4bit", "y/4bit"}));
}

TEST(VariantLabels, TheSameFolderKeepsOneLabel) {
  testing::TempDir tmp;
  fs::create_directories(tmp.path() / "m");
  const std::string a = (tmp.path() / "m").string();
  const std::string b = (tmp.path() / "." / "m").string();
  EXPECT_EQ(variant_labels({path(a), path(b)}), (std::vector<std::string>{"m", "m"}));
}

TEST(VariantLabels, RepositoryIds) {
  EXPECT_EQ(variant_labels({repo("google/medgemma-4b-it", "/c/s/1", "abcdef0123"),
                            repo("mlx-community/medgemma-4b-it-4bit", "/c/s/2", "99"),
                            path("/models/local")}),
            (std::vector<std::string>{"google/medgemma-4b-it", "mlx-community/medgemma-4b-it-4bit",
                                      "local"}));
  // Two snapshots of one repository: the commit tells them apart.
  EXPECT_EQ(variant_labels(
                {repo("org/m", "/c/s/1", "1111111aaa"), repo("org/m", "/c/s/2", "2222222bbb")}),
            (std::vector<std::string>{"org/m@1111111", "org/m@2222222"}));
  EXPECT_EQ(variant_labels(
                {repo("org/m", "/c/s/1", "1111111aaa"), repo("org/m", "/c/s/2", "1111111bbb")}),
            (std::vector<std::string>{"org/m@1111111aaa", "org/m@1111111bbb"}));
}

TEST(ModelName, FromRepositoriesNamesAndFolders) {
  EXPECT_EQ(model_name({repo("org/m", "/1", "a"), repo("org/m", "/2", "b")}), "org/m");
  EXPECT_EQ(model_name({repo("google/medgemma-4b-it", "/1", "a"),
                        repo("mlx-community/medgemma-4b-it-4bit", "/2", "b")}),
            "medgemma-4b-it");
  EXPECT_EQ(model_name({path("/m/medgemma-4b-it-bf16"), path("/m/medgemma-4b-it-4bit")}),
            "medgemma-4b-it");
  // A common start that is not a word of each name is no name: "model" of model2.
  EXPECT_EQ(model_name({path("model"), path("model2")}), "");
  EXPECT_EQ(model_name({path("mistral"), path("mixtral")}), "");
  EXPECT_EQ(model_name({path("model/bf16"), path("model/6bit")}), "model");
  EXPECT_EQ(model_name({path("build/samples/8bit"), path("build/samples/bf16")}), "samples");
  EXPECT_EQ(model_name({path("./a"), path("./b")}), "");
  EXPECT_EQ(model_name({path("../a"), path("../b")}), "");
  EXPECT_EQ(model_name({}), "");
}

}  // namespace
}  // namespace medq
