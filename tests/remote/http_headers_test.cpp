// The response headers read from an untrusted server: Content-Range, Link, Retry-After.
#include "medq/remote/http_headers.hpp"

#include <gtest/gtest.h>

namespace medq {
namespace {

TEST(ContentRange, TheOneForm) {
  auto r = parse_content_range("bytes 0-99/3400000000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->last, 99u);
  EXPECT_EQ(r->complete, 3400000000u);
  r = parse_content_range("  Bytes 262144-300000/*  ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 262144u);
  EXPECT_EQ(r->last, 300000u);
  EXPECT_FALSE(r->complete);
  r = parse_content_range("bytes 18446744073709551614-18446744073709551614/*");
  EXPECT_FALSE(r);  // 20 digits: refused (no overflow checks needed below)
}

TEST(ContentRange, Refused) {
  for (const char* bad :
       {"", "bytes", "bytes */100", "bytes 5-4/100", "bytes 0-100/100", "bytes 0-99",
        "bytes -99/100", "bytes 0--9/100", "items 0-9/100", "bytes 0-9/100 junk", "bytes 0x1-9/100",
        "bytes 1-2/3/4", "bytes 99999999999999999999-1/2"}) {
    EXPECT_FALSE(parse_content_range(bad)) << bad;
  }
}

TEST(LinkHeader, NextAmongOthers) {
  EXPECT_EQ(parse_link_next("<https://h/api/models/a/b/tree/c?recursive=true&cursor=X>; "
                            "rel=\"next\""),
            "https://h/api/models/a/b/tree/c?recursive=true&cursor=X");
  EXPECT_EQ(parse_link_next("<https://h/p1>; rel=\"prev\", <https://h/p3>; rel=next"),
            "https://h/p3");
  EXPECT_EQ(parse_link_next("<https://h/x,y>; title=\"a, b\"; rel=\"last next\""), "https://h/x,y");
  EXPECT_FALSE(parse_link_next("<https://h/p1>; rel=\"prev\""));
  EXPECT_FALSE(parse_link_next("https://h/p1; rel=next"));
  EXPECT_FALSE(parse_link_next("<https://h/p 1>; rel=next"));
  EXPECT_FALSE(parse_link_next("<>; rel=next"));
  EXPECT_FALSE(parse_link_next("<https://h/p1; rel=next"));
}

TEST(RetryAfter, SecondsOnly) {
  EXPECT_EQ(parse_retry_after_seconds("3"), 3u);
  EXPECT_EQ(parse_retry_after_seconds(" 120 "), 120u);
  EXPECT_FALSE(parse_retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after_seconds("-1"));
  EXPECT_FALSE(parse_retry_after_seconds(""));
}

}  // namespace
}  // namespace medq
