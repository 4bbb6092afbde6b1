#include "medq/formats/json_depth.hpp"

#include <gtest/gtest.h>

#include <string>

namespace medq {
namespace {

TEST(JsonDepth, OffsetOfTheFirstBracketTooDeep) {
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": 2}]})", 3), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": 2}]})", 2), std::optional<size_t>(10));
  EXPECT_EQ(json_too_deep_at("[[]][[]]", 2), std::nullopt);
}

TEST(JsonDepth, BracketsInStringsAndEscapesDoNotCount) {
  EXPECT_EQ(json_too_deep_at(R"(["[[[[", "\"[[[", "\\"])", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"(["\\", [0]])", 1), std::optional<size_t>(7));
}

TEST(JsonDepth, UnbalancedClosersNeverGoBelowZero) {
  EXPECT_EQ(json_too_deep_at("]]]]}}[", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at("]]][[", 1), std::optional<size_t>(4));
  const std::string deep(100000, '[');
  EXPECT_EQ(json_too_deep_at(deep, 64), std::optional<size_t>(64));
}

}  // namespace
}  // namespace medq
