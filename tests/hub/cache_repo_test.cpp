// The hygiene of a cache repository: incomplete downloads, blobs no snapshot links to, and the
// other snapshots with their bytes, found in a fake cache and reported as findings.
#include "medq/hub/cache_repo.hpp"

#include <gtest/gtest.h>

#include "../support/fake_hf_cache.hpp"
#include "../support/temp_dir.hpp"
#include "medq/hub/cache_findings.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::FakeHfCache;
using testing::TempDir;

constexpr const char* kMain = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kOld = "1111111111111111111111111111111111111111";

const Finding* with_code(const Findings& fs, std::string_view code) {
  for (const Finding& f : fs) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

TEST(CacheRepo, ACleanRepository) {
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("src/config.json", "{}");
  tmp.write("src/sub/tokenizer.json", "{\"x\": 1}");
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "src", kMain);
  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  CacheRepoScan scan = scan_cache_repo(*s);
  EXPECT_EQ(scan.read.commit, kMain);
  EXPECT_EQ(scan.read.refs, std::vector<std::string>{"main"});
  EXPECT_EQ(scan.read.files, 2u);
  EXPECT_EQ(scan.read.bytes, 2u + 8u);
  EXPECT_TRUE(scan.other_snapshots.empty());
  EXPECT_TRUE(scan.incomplete.empty());
  EXPECT_TRUE(scan.unreferenced.empty());
  EXPECT_TRUE(scan.problems.empty());
  EXPECT_TRUE(cache_repo_findings(*s, scan).empty());
}

TEST(CacheRepo, IncompleteUnreferencedAndOtherSnapshots) {
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("new/config.json", "{}");
  tmp.write("new/model.safetensors", std::string(100, 'a'));
  tmp.write("old/config.json", "{}");                         // shared with the new one
  tmp.write("old/model.safetensors", std::string(300, 'b'));  // only the old one's
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "new", kMain, {"main"});
  cache.add_snapshot("org/m", tmp.path() / "old", kOld, {"refs/pr/1"});
  cache.add_blob("org/m", std::string(64, 'c') + ".incomplete", 50);
  cache.add_blob("org/m", std::string(64, 'd'), 70);
  cache.add_blob("org/m", std::string(64, 'e'), 20);

  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  CacheRepoScan scan = scan_cache_repo(*s);
  ASSERT_EQ(scan.incomplete.size(), 1u);
  EXPECT_EQ(scan.incomplete[0].bytes, 50u);
  ASSERT_EQ(scan.unreferenced.size(), 2u);  // largest first
  EXPECT_EQ(scan.unreferenced[0].name, std::string(64, 'd'));
  EXPECT_EQ(scan.unreferenced[1].bytes, 20u);
  ASSERT_EQ(scan.other_snapshots.size(), 1u);
  const CacheSnapshotInfo& old = scan.other_snapshots[0];
  EXPECT_EQ(old.commit, kOld);
  EXPECT_EQ(old.refs, std::vector<std::string>{"refs/pr/1"});
  EXPECT_EQ(old.files, 2u);
  EXPECT_EQ(old.bytes, 302u);
  EXPECT_EQ(old.bytes_not_shared, 300u);

  Findings f = cache_repo_findings(*s, scan);
  const Finding* inc = with_code(f, "hf_cache.incomplete_download");
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->severity, Severity::kWarning);
  EXPECT_NE(inc->message.find("1 incomplete download (50 B)"), std::string::npos) << inc->message;
  EXPECT_NE(inc->message.find("blobs/cccccccccccc..."), std::string::npos) << inc->message;
  const Finding* un = with_code(f, "hf_cache.unreferenced_blobs");
  ASSERT_TRUE(un);
  EXPECT_EQ(un->severity, Severity::kInfo);
  EXPECT_NE(un->message.find("2 blobs no snapshot links to (90 B)"), std::string::npos)
      << un->message;
  const Finding* other = with_code(f, "hf_cache.other_snapshots");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->severity, Severity::kInfo);
  EXPECT_NE(other->message.find("111111111111... (refs refs/pr/1; 2 files, 302 B, 300 B of it"),
            std::string::npos)
      << other->message;
  EXPECT_NE(other->message.find("300 B would be freed"), std::string::npos) << other->message;
}

TEST(CacheRepo, ALinkOutOfTheRepositoryIsNoBlob) {
  TempDir tmp;
  FakeHfCache cache(tmp.path() / "hub");
  tmp.write("src/config.json", "{}");
  tmp.write("elsewhere.json", "{\"y\": 2}");
  const fs::path snap = cache.add_snapshot("org/m", tmp.path() / "src", kMain);
  fs::create_symlink(tmp.path() / "elsewhere.json", snap / "extra.json");
  auto s = find_hf_snapshot(snap);
  ASSERT_TRUE(s);
  CacheRepoScan scan = scan_cache_repo(*s);
  EXPECT_EQ(scan.read.files, 2u);
  EXPECT_EQ(scan.read.bytes, 2u + 8u);
  EXPECT_TRUE(scan.unreferenced.empty());
}

}  // namespace
}  // namespace medq
