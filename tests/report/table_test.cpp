// The two table layouts and the rich text that report sections are made of: what every text and
// Markdown report is built from, pinned here so a renderer change shows as one failing test
// rather than as every golden at once.
#include "medq/report/table.hpp"

#include <gtest/gtest.h>

#include "medq/report/sections.hpp"

namespace medq {
namespace {

Table sample() {
  Table t;
  t.headers = {"variant", "bytes"};
  t.right_align = {false, true};
  t.rows = {{"bf16", "4,229,632"}, {"4bit", "1,733,120"}, {"mixed_4_8", "12"}};
  return t;
}

TEST(Table, TextPadsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(table_to_text(sample()),
            "  variant        bytes\n"
            "  bf16       4,229,632\n"
            "  4bit       1,733,120\n"
            "  mixed_4_8         12\n");
  EXPECT_EQ(table_to_text(sample(), "> "),
            "> variant        bytes\n"
            "> bf16       4,229,632\n"
            "> 4bit       1,733,120\n"
            "> mixed_4_8         12\n");
}

TEST(Table, MarkdownAlignsAndEscapesPipes) {
  Table t = sample();
  t.rows.push_back({"a|b", "1"});
  const std::string md = table_to_markdown(t);
  EXPECT_NE(md.find("| variant | bytes |"), std::string::npos) << md;
  EXPECT_NE(md.find("| --- | ---: |"), std::string::npos) << md;
  EXPECT_NE(md.find("| a\\|b | 1 |"), std::string::npos) << md;
}

TEST(RichText, NamesAreCodeSpansOnlyInMarkdown) {
  const RichText t = RichText("baseline ") + code_span("bf16") + " (the most precise)";
  EXPECT_EQ(to_plain(t), "baseline bf16 (the most precise)");
  EXPECT_EQ(to_markdown(t), "baseline `bf16` (the most precise)");
}

TEST(RichText, FlattenRendersEveryCellOneWay) {
  RichTable rt;
  rt.headers = {"variant", "note"};
  rt.right_align = {false, false};
  rt.rows = {{code_span("4bit"), RichText("see ") + code_span("medq fidelity")}};
  const Table text = flatten(rt, false);
  const Table md = flatten(rt, true);
  EXPECT_EQ(text.rows[0][0], "4bit");
  EXPECT_EQ(text.rows[0][1], "see medq fidelity");
  EXPECT_EQ(md.rows[0][0], "`4bit`");
  EXPECT_EQ(md.rows[0][1], "see `medq fidelity`");
  EXPECT_EQ(md.right_align, rt.right_align);
}

}  // namespace
}  // namespace medq
