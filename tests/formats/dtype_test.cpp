#include "medq/formats/dtype.hpp"

#include <gtest/gtest.h>

#include "medq/util/utf8.hpp"

namespace medq {
namespace {

TEST(Dtype, NamesRoundTripAndSizes) {
  EXPECT_EQ(all_dtypes().size(), 22u);
  for (Dtype d : all_dtypes()) EXPECT_EQ(parse_dtype(dtype_name(d)), d);
  EXPECT_EQ(dtype_bits(Dtype::F4), 4u);
  EXPECT_EQ(dtype_bits(Dtype::F6_E2M3), 6u);
  EXPECT_EQ(dtype_bits(Dtype::F8_E8M0), 8u);
  EXPECT_EQ(dtype_bits(Dtype::BF16), 16u);
  EXPECT_EQ(dtype_bits(Dtype::C64), 64u);
  EXPECT_FALSE(parse_dtype("bf16").has_value());
  EXPECT_FALSE(parse_dtype("F128").has_value());
  EXPECT_TRUE(dtype_is_float(Dtype::BF16));
  EXPECT_FALSE(dtype_is_float(Dtype::U32));
}

std::optional<size_t> bad(std::string_view s) {
  return first_invalid_utf8(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(Utf8, StrictLikeRust) {
  EXPECT_EQ(bad("plain ascii"), std::nullopt);
  EXPECT_EQ(bad("\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(bad("ab\xC0\x80"), 2u);        // overlong NUL
  EXPECT_EQ(bad("\xE0\x80\x80"), 0u);      // overlong 3-byte
  EXPECT_EQ(bad("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(bad("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(bad("x\xE2\x9C"), 1u);         // truncated
  EXPECT_EQ(bad("\xFF"), 0u);
  EXPECT_EQ(bad("\x80"), 0u);  // stray continuation
}

}  // namespace
}  // namespace medq
