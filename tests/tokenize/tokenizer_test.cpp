#include "medq/tokenize/tokenizer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "medq/io/memory_storage.hpp"
#include "medq/tokenize/tokenize_error.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

// A byte-level BPE tokenizer written by transformers' save_pretrained (tests/fixtures).
const fs::path kFixture = fs::path(MEDQ_SOURCE_DIR) / "tests/fixtures/transformers/qwen3-tied-bf16";
constexpr const char* kText = "Patient denies chest pain; BP 120/80.";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The tokenizer is read through the storage seam: the same files held in memory encode alike.
TEST(Tokenizer, LoadsThroughAnyStorage) {
  const Tokenizer local = Tokenizer::load(kFixture);
  MemoryStorage mem;
  for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) {
    mem.put(name, slurp(kFixture / name));
  }
  const std::vector<std::string> files = {"tokenizer.json", "tokenizer_config.json"};
  const Tokenizer held = Tokenizer::load(mem, "held", files);
  EXPECT_EQ(held.encode(kText), local.encode(kText));
  EXPECT_EQ(held.fingerprint(), local.fingerprint());
  EXPECT_EQ(Tokenizer::fingerprint_of(mem, "held", files), local.fingerprint());
  EXPECT_EQ(held.file(), fs::path("held") / "tokenizer.json");
  // Without tokenizer_config.json in the listing, the file is not read: another fingerprint.
  const Tokenizer bare = Tokenizer::load(mem, "held", {"tokenizer.json"});
  EXPECT_NE(bare.fingerprint(), local.fingerprint());
  EXPECT_THROW(Tokenizer::load(mem, "held", {"config.json"}), TokenizeError);
}

// A link out of the folder is followed only when asked, as everywhere in medq.
TEST(Tokenizer, LinkOutOfTheFolderNeedsFollowSymlinks) {
  testing::TempDir tmp;
  fs::create_directories(tmp.path() / "model");
  fs::create_symlink(fs::absolute(kFixture / "tokenizer.json"),
                     tmp.path() / "model" / "tokenizer.json");
  EXPECT_THROW(Tokenizer::load(tmp.path() / "model"), TokenizeError);
  EXPECT_THROW(Tokenizer::fingerprint_of(tmp.path() / "model"), TokenizeError);
  const Tokenizer followed = Tokenizer::load(tmp.path() / "model", /*follow_symlinks=*/true);
  EXPECT_FALSE(followed.encode(kText).empty());
  EXPECT_EQ(Tokenizer::fingerprint_of(tmp.path() / "model", true), followed.fingerprint());
}

}  // namespace
}  // namespace medq
