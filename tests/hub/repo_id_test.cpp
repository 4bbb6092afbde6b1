// Repository ids and revisions as huggingface_hub's validators accept them.
#include "medq/hub/repo_id.hpp"

#include <gtest/gtest.h>

namespace medq {
namespace {

TEST(RepoId, WhatIsAnId) {
  EXPECT_TRUE(is_repo_id("google/medgemma-4b-it"));
  EXPECT_TRUE(is_repo_id("mlx-community/gemma-3-4b-it-4bit"));
  EXPECT_TRUE(is_repo_id("a_b/c.d"));
  EXPECT_FALSE(is_repo_id("gpt2"));        // no namespace: not looked up
  EXPECT_FALSE(is_repo_id("a/b/c"));       // a path
  EXPECT_FALSE(is_repo_id("org/na--me"));  // "--" is the folder separator
  EXPECT_FALSE(is_repo_id("org/a..b"));
  EXPECT_FALSE(is_repo_id("./model"));
  EXPECT_FALSE(is_repo_id("org/-x"));
  EXPECT_FALSE(is_repo_id("org/x "));
  EXPECT_FALSE(is_repo_id("org/" + std::string(97, 'a')));
  EXPECT_TRUE(is_repo_id("org/" + std::string(96, 'a')));
}

TEST(RepoId, AtRevision) {
  auto r = parse_repo_ref("org/name@refs/pr/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repo_id, "org/name");
  EXPECT_EQ(r->revision, "refs/pr/1");
  EXPECT_FALSE(parse_repo_ref("org/name@"));
  EXPECT_FALSE(parse_repo_ref("models/x/y"));
  EXPECT_FALSE(parse_repo_ref("org/name")->revision);
}

TEST(RepoId, SafeRevisions) {
  EXPECT_TRUE(is_safe_revision("main"));
  EXPECT_TRUE(is_safe_revision("refs/pr/1"));
  EXPECT_TRUE(is_safe_revision("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(is_safe_revision(""));
  EXPECT_FALSE(is_safe_revision(".."));
  EXPECT_FALSE(is_safe_revision("a/../../b"));
  EXPECT_FALSE(is_safe_revision("/etc"));
  EXPECT_FALSE(is_safe_revision("a//b"));
  EXPECT_FALSE(is_safe_revision("a b"));
  EXPECT_FALSE(is_safe_revision("a\\b"));
  EXPECT_FALSE(is_safe_revision(std::string(256, 'a')));
}

}  // namespace
}  // namespace medq
