// Repository ids and revisions resolved in a fake Hugging Face cache laid out as huggingface_hub
// lays one out: refs/main, a branch, a commit hash, ORG/NAME@REV, a repository folder given by
// path, and the failures that name the paths tried.
#include "medq/hub/resolve.hpp"

#include <gtest/gtest.h>

#include <map>

#include "../support/fake_hf_cache.hpp"
#include "../support/temp_dir.hpp"

namespace medq {
namespace {

namespace fs = std::filesystem;
using testing::FakeHfCache;
using testing::TempDir;

constexpr const char* kMain = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kDev = "fedcba9876543210fedcba9876543210fedcba98";

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct Cache {
  TempDir tmp;
  FakeHfCache cache{tmp.path() / "hub"};
  EnvLookup env = env_of({{"HF_HUB_CACHE", (tmp.path() / "hub").string()}});
  Cache() {
    tmp.write("src/config.json", "{}");
    tmp.write("src2/config.json", "{\"a\": 1}");
    cache.add_snapshot("org/model", tmp.path() / "src", kMain, {"main"});
    cache.add_snapshot("org/model", tmp.path() / "src2", kDev, {"dev", "refs/pr/1"});
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const HubError& e) {
    return e.what();
  }
  return "";
}

TEST(Resolve, RepositoryIdAtMain) {
  Cache c;
  ModelLocation loc = resolve_model_location("org/model", std::nullopt, c.env);
  ASSERT_TRUE(loc.hub);
  EXPECT_EQ(loc.hub->repo_id, "org/model");
  EXPECT_EQ(loc.hub->revision, "main");
  EXPECT_EQ(loc.hub->commit, kMain);
  EXPECT_EQ(loc.dir, c.cache.repo("org/model") / "snapshots" / kMain);
  EXPECT_EQ(loc.given, "org/model");
  EXPECT_TRUE(fs::exists(loc.dir / "config.json"));
}

TEST(Resolve, BranchCommitHashPrAndAtSyntax) {
  Cache c;
  EXPECT_EQ(resolve_model_location("org/model", "dev", c.env).hub->commit, kDev);
  EXPECT_EQ(resolve_model_location("org/model", kDev, c.env).hub->commit, kDev);
  EXPECT_EQ(resolve_model_location("org/model", std::string("refs/pr/1"), c.env).hub->commit, kDev);
  EXPECT_EQ(resolve_model_location("org/model@dev", std::nullopt, c.env).hub->commit, kDev);
  EXPECT_EQ(resolve_model_location("org/model@dev", "dev", c.env).hub->commit, kDev);
  EXPECT_NE(
      error_of([&] { resolve_model_location("org/model@dev", "main", c.env); }).find("give one"),
      std::string::npos);
}

TEST(Resolve, RefWithTrailingNewlineIsTrimmed) {
  Cache c;
  c.cache.set_ref("org/model", "nl", std::string(kDev) + "\n");
  EXPECT_EQ(resolve_model_location("org/model", "nl", c.env).hub->commit, kDev);
}

TEST(Resolve, MissingRepositoryNamesThePathTried) {
  Cache c;
  const std::string e = error_of([&] { resolve_model_location("org/other", std::nullopt, c.env); });
  EXPECT_NE(e.find((c.tmp.path() / "hub" / "models--org--other").string()), std::string::npos) << e;
  EXPECT_NE(e.find("$HF_HUB_CACHE"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("cannot read 'org/other': No such file or directory; nor is", 0), 0u) << e;
}

TEST(Resolve, MissingRevisionListsWhatTheCacheHolds) {
  Cache c;
  const std::string e = error_of([&] { resolve_model_location("org/model", "v2", c.env); });
  EXPECT_NE(e.find("refs/v2"), std::string::npos) << e;
  EXPECT_NE(e.find("snapshots/v2"), std::string::npos) << e;
  EXPECT_NE(e.find("dev, main, refs/pr/1"), std::string::npos) << e;
  EXPECT_NE(e.find(kMain), std::string::npos) << e;
  // A path-like revision never leaves the repository folder.
  EXPECT_NE(error_of([&] {
              resolve_model_location("org/model", "../../x", c.env);
            }).find("not a branch name or a commit hash"),
            std::string::npos);
}

TEST(Resolve, RefToADeletedSnapshot) {
  Cache c;
  c.cache.set_ref("org/model", "gone", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  const std::string e = error_of([&] { resolve_model_location("org/model", "gone", c.env); });
  EXPECT_NE(e.find("names commit aaaaaaaa"), std::string::npos) << e;
  c.cache.set_ref("org/model", "junk", "not/a commit");
  EXPECT_NE(error_of([&] {
              resolve_model_location("org/model", "junk", c.env);
            }).find("does not hold a commit hash"),
            std::string::npos);
}

TEST(Resolve, RepositoryFolderGivenByPath) {
  Cache c;
  const fs::path repo = c.cache.repo("org/model");
  ModelLocation loc = resolve_model_location(repo.string(), std::nullopt, c.env);
  ASSERT_TRUE(loc.hub);
  EXPECT_EQ(loc.hub->repo_id, "org/model");
  EXPECT_EQ(loc.hub->commit, kMain);
  EXPECT_EQ(loc.dir, repo / "snapshots" / kMain);
  EXPECT_EQ(resolve_model_location(repo.string(), "dev", c.env).hub->commit, kDev);
}

TEST(Resolve, LocalPathsComeFirst) {
  Cache c;
  // A folder named like the id, relative to the working directory, is read as a folder.
  const fs::path cwd = fs::current_path();
  fs::current_path(c.tmp.path());
  fs::create_directories("org/model");
  ModelLocation loc = resolve_model_location("org/model", std::nullopt, c.env);
  const std::string rev_error =
      error_of([&] { resolve_model_location("org/model", "dev", c.env); });
  fs::current_path(cwd);
  EXPECT_FALSE(loc.hub);
  EXPECT_EQ(loc.dir, "org/model");
  EXPECT_NE(rev_error.find("is neither"), std::string::npos) << rev_error;
  // A snapshot folder given by path is a plain folder here (io detects it as a snapshot).
  const fs::path snap = c.cache.repo("org/model") / "snapshots" / kMain;
  EXPECT_FALSE(resolve_model_location(snap.string(), std::nullopt, c.env).hub);
}

TEST(Resolve, NotAnIdAndNotAPathIsLeftToTheCaller) {
  Cache c;
  ModelLocation loc = resolve_model_location("no/such/folder", std::nullopt, c.env);
  EXPECT_FALSE(loc.hub);
  EXPECT_EQ(loc.dir, "no/such/folder");
}

}  // namespace
}  // namespace medq
