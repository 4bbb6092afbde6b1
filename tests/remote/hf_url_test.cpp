// hf:// addresses: what users type, parsed strictly (nothing typed reaches another URL part).
#include "medq/remote/hf_url.hpp"

#include <gtest/gtest.h>

namespace medq {
namespace {

HfRef parse_ok(const std::string& s) {
  std::string err;
  auto r = parse_hf_url(s, &err);
  EXPECT_TRUE(r) << s << ": " << err;
  return r.value_or(HfRef{});
}

TEST(HfUrl, RepoRevisionAndPath) {
  HfRef r = parse_ok("hf://google/medgemma-4b-it");
  EXPECT_EQ(r.repo, "google/medgemma-4b-it");
  EXPECT_EQ(r.revision, "main");
  EXPECT_FALSE(r.revision_given);
  EXPECT_EQ(r.path, "");
  EXPECT_EQ(r.display(), "hf://google/medgemma-4b-it");

  r = parse_ok("hf://mlx-community/m_4.bit@v1.0/sub/model.safetensors");
  EXPECT_EQ(r.repo, "mlx-community/m_4.bit");
  EXPECT_EQ(r.revision, "v1.0");
  EXPECT_TRUE(r.revision_given);
  EXPECT_EQ(r.path, "sub/model.safetensors");
  EXPECT_EQ(r.display(), "hf://mlx-community/m_4.bit@v1.0/sub/model.safetensors");

  r = parse_ok("hf://a/b/model.safetensors");
  EXPECT_EQ(r.revision, "main");
  EXPECT_EQ(r.path, "model.safetensors");

  r = parse_ok("hf://a/b@refs/pr/12/x.safetensors");
  EXPECT_EQ(r.revision, "refs/pr/12");
  EXPECT_EQ(r.path, "x.safetensors");

  r = parse_ok("hf://a/b/");  // a trailing slash names the root
  EXPECT_EQ(r.path, "");
}

TEST(HfUrl, Refused) {
  for (const char* bad :
       {"hf://", "hf://a", "hf://a/", "hf:///b", "hf://a/b@", "hf://a/b@x..y", "hf://../b",
        "hf://a/..", "hf://a/b/../c", "hf://a/b//c", "hf://a/b/./c", "hf://a b/c", "hf://a/b?x=1",
        "hf://a/b#f", "hf://a/b@ma in", "hf://a/b/c\x01", "hf://a%2F/b", "https://x/y"}) {
    std::string err;
    EXPECT_FALSE(parse_hf_url(bad, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

TEST(HfUrl, CommitIdsAndEncoding) {
  EXPECT_TRUE(is_commit_id("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(is_commit_id("0123456789ABCDEF0123456789abcdef01234567"));
  EXPECT_FALSE(is_commit_id("main"));
  EXPECT_EQ(percent_encode("refs/pr/1", false), "refs%2Fpr%2F1");
  EXPECT_EQ(percent_encode("a b/c+d.json", true), "a%20b/c%2Bd.json");
  EXPECT_EQ(percent_encode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace medq
