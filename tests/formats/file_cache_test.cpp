#include "medq/formats/file_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../test_util.hpp"
#include "medq/io/same_bytes.hpp"
#include "medq/io/sha256.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTokenizer = R"({"version": "1.0", "added_tokens": [],
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}})";

// The same as kTokenizer but for one byte: equal size, different content.
std::string other_tokenizer() {
  std::string t = kTokenizer;
  t[t.find("\"ab\"") + 1] = 'c';
  return t;
}

fs::path put(const test::TempDir& dir, const std::string& sub, const std::string& name,
             const std::string& bytes) {
  fs::create_directories(dir.path() / sub);
  return dir.write(sub + "/" + name, bytes);
}

TEST(FileCache, SameBytesAreParsedOnceAndShareTheirDigest) {
  test::TempDir dir;
  const auto a = put(dir, "a", "tokenizer.json", kTokenizer);
  const auto b = put(dir, "b", "tokenizer.json", kTokenizer);
  FileCache cache;
  auto ra = cache.tokenizer_json(a, "tokenizer.json");
  auto rb = cache.tokenizer_json(b, "tokenizer.json");
  EXPECT_EQ(ra.get(), rb.get()) << "one parse for both";
  ASSERT_TRUE(ra->tokenizer.has_value());
  EXPECT_EQ(ra->tokenizer->vocab.find("ab"), 2u);
  const std::string want = sha256_bytes(kTokenizer);
  EXPECT_EQ(cache.sha256_of(a), want);
  EXPECT_EQ(cache.sha256_of(b), want);
}

TEST(FileCache, SameSizeOtherBytesAreParsedApart) {
  test::TempDir dir;
  const std::string other = other_tokenizer();
  ASSERT_EQ(other.size(), std::string(kTokenizer).size());
  const auto a = put(dir, "a", "tokenizer.json", kTokenizer);
  const auto b = put(dir, "b", "tokenizer.json", other);
  FileCache cache;
  auto ra = cache.tokenizer_json(a, "tokenizer.json");
  auto rb = cache.tokenizer_json(b, "tokenizer.json");
  ASSERT_NE(ra.get(), rb.get());
  EXPECT_EQ(ra->tokenizer->vocab.find("ab"), 2u);
  EXPECT_EQ(rb->tokenizer->vocab.find("cb"), 2u);
  EXPECT_EQ(cache.sha256_of(a), sha256_bytes(kTokenizer));
  EXPECT_EQ(cache.sha256_of(b), sha256_bytes(other));
}

// Findings name the file, so the same bytes under another name are another result; a small
// JSON file and a tokenizer.json with the same bytes are never confused either.
TEST(FileCache, LabelAndKindArePartOfTheKey) {
  test::TempDir dir;
  const auto a = put(dir, "a", "x.json", "{\"k\": 1, \"k\": 2}");
  const auto b = put(dir, "b", "x.json", "{\"k\": 1, \"k\": 2}");
  FileCache cache;
  auto ja = cache.json_file(a, "x.json", "config");
  auto jb = cache.json_file(b, "x.json", "config");
  auto jc = cache.json_file(b, "y.json", "config");
  EXPECT_EQ(ja.get(), jb.get());
  EXPECT_NE(ja.get(), jc.get());
  ASSERT_EQ(jc->findings.size(), 1u);
  EXPECT_EQ(jc->findings[0].code, "config.duplicate_key");
  EXPECT_EQ(jc->findings[0].where.file, "y.json");
  auto t = cache.tokenizer_json(a, "x.json");
  EXPECT_FALSE(t->findings.empty()) << "read as a tokenizer.json it has no model";
}

TEST(FileCache, ManyThreadsOneContentOneResult) {
  test::TempDir dir;
  std::vector<fs::path> paths;
  for (int i = 0; i < 8; ++i) paths.push_back(put(dir, std::to_string(i), "t.json", kTokenizer));
  FileCache cache;
  std::vector<std::shared_ptr<const TokenizerJsonResult>> got(paths.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < paths.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = cache.tokenizer_json(paths[i], "t.json"); });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i].get(), got[0].get()) << i;
  for (const auto& p : paths) EXPECT_EQ(cache.sha256_of(p), sha256_bytes(kTokenizer));
}

TEST(FileCache, UnreadableAndTooLargeAreReportedNotHashed) {
  test::TempDir dir;
  FileCache cache;
  auto missing = cache.tokenizer_json(dir.path() / "none.json", "tokenizer.json");
  ASSERT_FALSE(missing->findings.empty());
  EXPECT_EQ(missing->findings[0].code, "tokenizer.unreadable");
  EXPECT_FALSE(cache.sha256_of(dir.path() / "none.json").has_value());
  const auto big = dir.write("big.json", "{}");
  fs::resize_file(big, kMaxTokenizerJsonBytes + 1);  // sparse
  auto r = cache.tokenizer_json(big, "tokenizer.json");
  ASSERT_FALSE(r->findings.empty());
  EXPECT_EQ(r->findings[0].code, "tokenizer.too_large");
  EXPECT_FALSE(cache.sha256_of(big).has_value());
}

TEST(SameBytes, ComparesEveryChunk) {
  test::TempDir dir;
  std::string bytes(3 * (1 << 20) + 5, 'x');  // over three 1 MiB chunks
  const auto a = dir.write("a", bytes);
  std::string last = bytes;
  last.back() = 'y';
  std::string err;
  EXPECT_EQ(same_bytes(bytes, a, &err), std::optional<bool>(true));
  EXPECT_EQ(same_bytes(last, a, &err), std::optional<bool>(false)) << "last byte differs";
  EXPECT_EQ(same_bytes(std::string_view(bytes).substr(1), a, &err), std::optional<bool>(false))
      << "sizes differ";
  EXPECT_EQ(same_bytes("", dir.write("empty", ""), &err), std::optional<bool>(true));
  EXPECT_FALSE(same_bytes(bytes, dir.path() / "none", &err).has_value());
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace medq
