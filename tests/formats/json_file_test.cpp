#include "medq/formats/json_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../test_util.hpp"

namespace medq {
namespace {

std::vector<std::string> duplicate_pointers(const JsonFileResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    if (f.code == "config.duplicate_key") out.push_back(f.where.json_pointer);
  }
  return out;
}

TEST(JsonFile, DuplicateKeysNamedByTheirPointer) {
  auto r = parse_json_text(
      R"({"a": [{"x": 1, "x": 2}], "b": {"c": {"y": 1, "z": [], "y": 2}}, "a~/b": {"k": 1, "k": 1}})",
      "config.json", "config");
  ASSERT_TRUE(r.value.has_value()) << test::dump(r.findings);
  EXPECT_EQ(duplicate_pointers(r), (std::vector<std::string>{"/a/0/x", "/b/c/y", "/a~0~1b/k"}));
}

// Containers are tracked per depth and reused: an object with many keys (tracked in a hash
// set), then small and large objects at the same depth, each with one duplicate.
TEST(JsonFile, DuplicatesFoundAfterALargeObjectAtTheSameDepth) {
  auto object = [](int keys, const std::string& dup) {
    std::string o = "{";
    for (int i = 0; i < keys; ++i)
      o += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    return o + "\"" + dup + "\": 0, \"" + dup + "\": 1}";
  };
  const std::string text = "[" + object(1000, "first") + ", " + object(3, "small") + ", " +
                           object(20, "mid") + ", " + object(2, "last") + "]";
  auto r = parse_json_text(text, "config.json", "config");
  ASSERT_TRUE(r.value.has_value()) << test::dump(r.findings);
  EXPECT_EQ(duplicate_pointers(r),
            (std::vector<std::string>{"/0/first", "/1/small", "/2/mid", "/3/last"}));
}

TEST(JsonFile, AtMostAHundredDuplicatesListed) {
  std::string text = "{";
  for (int i = 0; i < 150; ++i) text += "\"a\": " + std::to_string(i) + ", ";
  text += "\"b\": 0}";
  auto r = parse_json_text(text, "config.json", "config");
  EXPECT_EQ(duplicate_pointers(r).size(), 100u);
}

}  // namespace
}  // namespace medq
