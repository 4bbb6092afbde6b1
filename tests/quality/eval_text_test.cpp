// The bundled evaluation text of `medq quality`: embedded in the library, identical to
// data/eval/clinical_en.txt, UTF-8, with the header that says where it comes from.
#include "medq/quality/eval_text.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "medq/util/utf8.hpp"

namespace medq {
namespace {

TEST(BundledEvalText, PresentWithItsHeader) {
  const std::string_view t = bundled_eval_text();
  ASSERT_GT(t.size(), 20000u);
  const std::string_view head = t.substr(0, t.find("\n\n"));
  EXPECT_NE(head.find("Written for the medq project"), std::string_view::npos) << head;
  EXPECT_NE(head.find("synthetic"), std::string_view::npos) << head;
  EXPECT_NE(head.find("no real patient data"), std::string_view::npos) << head;
  EXPECT_NE(head.find("Licence: MIT"), std::string_view::npos) << head;
  EXPECT_FALSE(first_invalid_utf8(std::span(reinterpret_cast<const uint8_t*>(t.data()), t.size())));
}

TEST(BundledEvalText, IsTheFileInTheSourceTree) {
  std::ifstream f(std::string(MEDQ_SOURCE_DIR) + "/" + std::string(kBundledEvalTextFile),
                  std::ios::binary);
  ASSERT_TRUE(f);
  std::ostringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), bundled_eval_text());
}

}  // namespace
}  // namespace medq
