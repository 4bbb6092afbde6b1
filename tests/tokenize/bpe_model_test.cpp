// The BPE model's construction: merges resolved to ids (on both cores, in prefetched batches,
// for large merge lists), the errors tokenizers refuses too, reported for the first bad merge by
// rank, and encoding by merge rank.
#include "medq/tokenize/bpe_model.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "medq/tokenize/tokenize_error.hpp"

namespace medq {
namespace {

using Vocab = std::vector<std::pair<std::string_view, uint32_t>>;
using Merges = std::vector<std::pair<std::string_view, std::string_view>>;

std::string error_of(const Vocab& v, const Merges& m, BpeModel::Options o = {}) {
  try {
    BpeModel model(v, m, std::move(o));
  } catch (const TokenizeError& e) {
    return e.what();
  }
  return "";
}

TEST(BpeModel, MergesByRank) {
  const Vocab v = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}};
  // "b c" outranks "a b": abc -> a bc, and no merge of (a, bc) exists.
  BpeModel m(v, {{"b", "c"}, {"a", "b"}, {"ab", "c"}}, {});
  std::vector<uint32_t> out;
  m.tokenize("abc", out);
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 4}));
  BpeModel m2(v, {{"a", "b"}, {"ab", "c"}, {"b", "c"}}, {});
  out.clear();
  m2.tokenize("abc", out);
  EXPECT_EQ(out, (std::vector<uint32_t>{5}));
  EXPECT_EQ(m2.merge_count(), 3u);
}

TEST(BpeModel, TheFirstBadMergeByRankIsReported) {
  const Vocab v = {{"a", 0}, {"b", 1}, {"ab", 2}, {"##b", 3}};
  EXPECT_EQ(error_of(v, {{"a", "b"}, {"a", "x"}, {"q", "b"}}),
            "BPE merge 1 (\"a\" \"x\") uses a token not in the vocab");
  EXPECT_EQ(error_of(v, {{"b", "b"}}), "BPE merge 0: \"bb\" is not in the vocab");
  BpeModel::Options o;
  o.continuing_subword_prefix = "##";
  EXPECT_EQ(error_of(v, {{"a", "##b"}, {"a", "b"}}, o),
            "BPE merge 1: \"b\" is shorter than the subword prefix");
  EXPECT_EQ(error_of(v, {{"a", "##b"}}, o), "");  // a + "b" = "ab"
}

// Over the size where the lookups run in parallel batches: the same result as one by one, and
// the first bad rank still the one reported.
TEST(BpeModel, LargeMergeListsResolveAsSmallOnes) {
  // 250 one-character tokens (CJK ideographs, 3 bytes of UTF-8 each) and every pair of them.
  const int n = 250;
  std::vector<std::string> chars;
  for (int i = 0; i < n; ++i) {
    const int cp = 0x4E00 + i;
    chars.push_back({static_cast<char>(0xE0 | (cp >> 12)),
                     static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                     static_cast<char>(0x80 | (cp & 0x3F))});
  }
  std::vector<std::string> pairs;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) pairs.push_back(chars[i] + chars[j]);
  Vocab v;
  for (int i = 0; i < n; ++i) v.emplace_back(chars[i], i);
  for (size_t k = 0; k < pairs.size(); ++k) v.emplace_back(pairs[k], n + k);
  Merges merges;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) merges.emplace_back(chars[i], chars[j]);
  ASSERT_GT(merges.size(), 50000u);
  BpeModel m(v, merges, {});
  EXPECT_EQ(m.merge_count(), merges.size());
  std::vector<uint32_t> out;
  m.tokenize(chars[3] + chars[7] + chars[200], out);
  EXPECT_EQ(out, (std::vector<uint32_t>{static_cast<uint32_t>(n + 3 * n + 7), 200}));
  Merges bad = merges;
  bad[54321].second = "zz";
  bad[55555].first = "yy";
  EXPECT_EQ(error_of(v, bad).rfind("BPE merge 54321 ", 0), 0u) << error_of(v, bad);
}

}  // namespace
}  // namespace medq
