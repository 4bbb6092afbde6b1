// The token-id file (--tokens, a policy's quality.tokens): ids separated by any ASCII
// whitespace, and the message for anything that is not a decimal id below 2^32.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "medq/quality/token_ids.hpp"

namespace medq {
namespace {

TEST(TokenIds, WhitespaceSeparatedDecimalIds) {
  std::string err;
  auto ids = parse_token_ids(" 2 651\t1087\r\n\v17\f4294967295\n", "t.txt", &err);
  ASSERT_TRUE(ids) << err;
  EXPECT_EQ(*ids, (std::vector<uint32_t>{2, 651, 1087, 17, 4294967295u}));
}

TEST(TokenIds, NamesTheFirstBadId) {
  std::string err;
  EXPECT_FALSE(parse_token_ids("1 2 4294967296", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: token 3 '4294967296' is not a decimal token id below 2^32");
  EXPECT_FALSE(parse_token_ids("1 -2", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: token 2 '-2' is not a decimal token id below 2^32");
  EXPECT_FALSE(parse_token_ids("12abc", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: token 1 '12abc' is not a decimal token id below 2^32");
  EXPECT_FALSE(parse_token_ids("+5", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: token 1 '+5' is not a decimal token id below 2^32");
  // A long word is cut at 40 bytes.
  EXPECT_FALSE(parse_token_ids(std::string(100, 'x'), "t.txt", &err));
  EXPECT_EQ(err,
            "t.txt: token 1 '" + std::string(40, 'x') + "' is not a decimal token id below 2^32");
}

TEST(TokenIds, NoIdsIsAnError) {
  std::string err;
  EXPECT_FALSE(parse_token_ids("", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: no token ids");
  EXPECT_FALSE(parse_token_ids(" \n\t ", "t.txt", &err));
  EXPECT_EQ(err, "t.txt: no token ids");
}

}  // namespace
}  // namespace medq
