// The HTML page parts: a verdict cell gets its class and its symbol (colour never alone), other
// cells stay plain, text is escaped, and the page carries the policy that lets it load nothing.
#include "medq/report/html_page.hpp"

#include <gtest/gtest.h>

namespace medq {
namespace {

TEST(HtmlPage, MarkedCellsHaveClassAndSymbol) {
  RichTable t{{"status", "value"}, {false, true}, {}, {}};
  t.rows = {{"pass", "1"}, {"FAIL", "2"}, {"skipped", "3"}, {"plain", "<4>"}};
  t.marks = {{CellMark::kPass}, {CellMark::kFail, CellMark::kFail}, {CellMark::kNotEvaluated}};
  const std::string html = table_html(t);
  EXPECT_NE(html.find("<td class=\"pass\"><span class=\"mark\" aria-hidden=\"true\">✓</span> "
                      "pass</td><td class=\"num\">1</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"num fail\"><span class=\"mark\" aria-hidden=\"true\">✗</span> "
                      "2</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"not-evaluated\"><span class=\"mark\" "
                      "aria-hidden=\"true\">–</span> skipped</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>plain</td><td class=\"num\">&lt;4&gt;</td>"), std::string::npos) << html;
}

TEST(HtmlPage, PageLoadsNothingAndMarksItsHeadline) {
  const std::string html = html_page(RichText("medq check ") + code_span("a&b"), "Result: PASS",
                                     "<p>body</p>\n", CellMark::kPass);
  EXPECT_NE(html.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
            std::string::npos);
  EXPECT_NE(html.find("<title>medq check a&amp;b</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<h1>medq check <code>a&amp;b</code></h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p class=\"pass\"><span class=\"mark\" aria-hidden=\"true\">✓</span> "
                      "Result: PASS</p>\n<p>body</p>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("://"), std::string::npos);  // no URL at all
}

}  // namespace
}  // namespace medq
