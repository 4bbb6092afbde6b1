// compare's section selection: the names --sections takes and what they select, in the report's
// order; unknown names refused with the list; the sections a comparison cannot have refused
// before anything is measured.
#include "medq/report/section_selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "medq/report/compare_report.hpp"

namespace medq {
namespace {

TEST(SectionSelection, ParsesNamesIntoReportOrder) {
  const SectionSelection s = parse_compare_sections(" memory,summary , decision,memory");
  EXPECT_EQ(s.names, (std::vector<std::string>{"decision", "summary", "memory"}));
  EXPECT_TRUE(s.shows("memory"));
  EXPECT_FALSE(s.shows("sizes"));
  EXPECT_TRUE(s.shows(""));  // a section without a name shows whatever is chosen
}

TEST(SectionSelection, EmptySelectionShowsEverything) {
  const SectionSelection all;
  for (const std::string& n : compare_section_names()) EXPECT_TRUE(all.shows(n));
}

TEST(SectionSelection, RefusesUnknownAndEmptyNamesListingTheValidOnes) {
  for (const char* list : {"summary,bogus", "", "summary,,memory", "Summary"}) {
    try {
      parse_compare_sections(list);
      ADD_FAILURE() << "accepted '" << list << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("decision, summary, quantization, sizes, parameters, "
                                           "bits, memory, fidelity, quality, validation, "
                                           "architecture, tokenizer, remote"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(SectionSelection, SummaryIsTheDecisionAndTheSummary) {
  EXPECT_EQ(compare_summary_sections().names, (std::vector<std::string>{"decision", "summary"}));
}

TEST(SectionSelection, ShownSectionsKeepOrderAndUnnamedOnes) {
  std::vector<ReportSection> sections(4);
  sections[0].key = "decision";
  sections[1].title = "Comparison";  // no key
  sections[2].key = "summary";
  sections[3].key = "memory";
  const auto shown = shown_sections(sections, parse_compare_sections("memory,decision"));
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[0].key, "decision");
  EXPECT_EQ(shown[1].title, "Comparison");
  EXPECT_EQ(shown[2].key, "memory");
}

TEST(SectionSelection, RefusesSectionsTheComparisonWillNotHave) {
  CompareOptions o;
  EXPECT_THROW(check_sections(parse_compare_sections("fidelity"), o, false), std::invalid_argument);
  EXPECT_THROW(check_sections(parse_compare_sections("quality"), o, false), std::invalid_argument);
  EXPECT_THROW(check_sections(parse_compare_sections("remote"), o, false), std::invalid_argument);
  EXPECT_NO_THROW(check_sections(parse_compare_sections("remote"), o, true));
  EXPECT_NO_THROW(check_sections({}, o, false));  // everything: only what exists shows
  o.fidelity = true;
  EXPECT_NO_THROW(check_sections(parse_compare_sections("fidelity,summary"), o, false));
}

TEST(SectionSelection, EverySectionOfACompareReportHasAValidName) {
  Comparison c;
  c.context = 8192;
  CompareVariant v;
  v.stats.label = "bf16";
  c.variants = {v, v};
  c.variants[1].stats.label = "4bit";
  const CompareReport r = build_compare_report(c);
  const auto& names = compare_section_names();
  for (const ReportSection& s : r.sections) {
    EXPECT_NE(std::find(names.begin(), names.end(), s.key), names.end()) << s.title;
  }
}

}  // namespace
}  // namespace medq
