// The Hub's revision info and tree pages, from untrusted bytes.
#include "medq/remote/hub_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace medq {
namespace {

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

TEST(RevisionInfo, Sha) {
  std::string err;
  EXPECT_EQ(parse_revision_commit(R"({"id":"a/b","sha":")" + kSha + R"(","siblings":[]})", &err),
            kSha);
  for (std::string bad : {std::string("[]"), std::string("{}"), std::string(R"({"sha":1})"),
                          std::string(R"({"sha":"main"})"), std::string("{"),
                          std::string(R"({"sha":")") + kSha + "0\"}", std::string(100, '[')}) {
    EXPECT_FALSE(parse_revision_commit(bad, &err)) << bad;
    EXPECT_FALSE(err.empty());
  }
}

TEST(TreePage, FilesAndFolders) {
  std::string err;
  auto page = parse_tree_page(
      R"([{"type":"file","oid":"x","size":1370,"path":"config.json"},
          {"type":"directory","oid":"y","size":0,"path":"sub"},
          {"type":"file","oid":"z","size":3400000000,"path":"sub/model.safetensors",
           "lfs":{"oid":"s","size":3400000000,"pointerSize":135}}])",
      &err);
  ASSERT_TRUE(page) << err;
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].path, "config.json");
  EXPECT_EQ((*page)[0].size, 1370u);
  EXPECT_EQ((*page)[1].type, HubTreeEntry::Type::kDirectory);
  EXPECT_EQ((*page)[2].size, 3400000000u);
  // Written back and read again: the same entries (the fetch cache's form).
  auto again = parse_tree_page(tree_to_json(*page), &err);
  ASSERT_TRUE(again) << err;
  ASSERT_EQ(again->size(), 3u);
  EXPECT_EQ((*again)[2].path, "sub/model.safetensors");
  EXPECT_EQ((*again)[2].size, 3400000000u);
}

TEST(TreePage, Refused) {
  std::string err;
  for (std::string bad : {
           std::string(R"({"type":"file"})"),
           std::string(R"([1])"),
           std::string(R"([{"type":"file","path":"../x","size":1}])"),
           std::string(R"([{"type":"file","path":"/etc/passwd","size":1}])"),
           std::string(R"([{"type":"file","path":"a//b","size":1}])"),
           std::string(R"([{"type":"file","path":"a/./b","size":1}])"),
           std::string(R"([{"type":"file","path":"a\\b","size":1}])"),
           std::string(R"([{"type":"file","path":"a\nb","size":1}])"),
           std::string("[{\"type\":\"file\",\"path\":\"\xff\",\"size\":1}]"),
           std::string(R"([{"type":"file","path":"","size":1}])"),
           std::string(R"([{"type":"file","path":"x","size":-1}])"),
           std::string(R"([{"type":"file","path":"x","size":1.5}])"),
           std::string(R"([{"type":"file","path":"x","size":"1"}])"),
           std::string(R"([{"type":"file","path":"x","size":4611686018427387904}])"),
           std::string(R"([{"type":"file","path":"x"}])"),
           std::string(R"([{"type":"symlink","path":"x","size":1}])"),
           std::string(R"([{"type":"file","path":"x","size":5,"lfs":{"size":6}}])"),
           std::string(R"([{"type":"file","path":"x","size":5}, {"a":)"),
       }) {
    err.clear();
    EXPECT_FALSE(parse_tree_page(bad, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

TEST(TreePage, DeepNestingRefusedBeforeParsing) {
  std::string err;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(parse_tree_page(deep, &err));
  EXPECT_NE(err.find("nested deeper"), std::string::npos);
  // Brackets inside strings do not count.
  std::string in_string = R"([{"type":"file","path":")" + std::string(100, '[') + R"(","size":1}])";
  EXPECT_TRUE(parse_tree_page(in_string, &err)) << err;
}

}  // namespace
}  // namespace medq
