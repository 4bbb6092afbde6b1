#include "medq/check/tokenizer_checks.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "../test_util.hpp"

namespace medq {
namespace {

using test::dump;
using test::find_finding;

// The text of each file of a small, consistent tokenizer; rows edit one of them.
struct Files {
  std::string tokenizer_json = R"({"version": "1.0", "added_tokens": [
      {"id": 0, "content": "<pad>", "special": true}, {"id": 1, "content": "<eos>", "special": true},
      {"id": 2, "content": "<bos>", "special": true}, {"id": 3, "content": "<unk>", "special": true},
      {"id": 6, "content": "<img>", "special": true}],
    "model": {"type": "BPE", "unk_token": "<unk>", "merges": [],
              "vocab": {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "a": 4, "b": 5}}})";
  std::string tokenizer_config = R"({"bos_token": "<bos>", "eos_token": "<eos>",
    "pad_token": "<pad>", "unk_token": {"content": "<unk>"}, "image_token": "<img>",
    "added_tokens_decoder": {"0": {"content": "<pad>"}, "1": {"content": "<eos>"},
      "2": {"content": "<bos>"}, "3": {"content": "<unk>"}, "6": {"content": "<img>"}}})";
  std::string special_tokens_map =
      R"({"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"})";
  std::string generation = R"({"bos_token_id": 2, "eos_token_id": [1], "pad_token_id": 0})";
  std::vector<std::string> pieces = {"<pad>", "<eos>", "<bos>", "<unk>", "a", "b"};
  bool with_json = true, with_model = true;
  std::optional<uint64_t> vocab_size = 8, rows = 8;
};

// Parses the files and runs the checks; the readers must accept every fixture cleanly enough
// that what the checks say is about the cross-file relation.
Findings run(const Files& f) {
  auto tj = parse_tokenizer_json(f.tokenizer_json, "tokenizer.json");
  auto tc = parse_tokenizer_config(f.tokenizer_config, "tokenizer_config.json");
  auto sm = parse_tokenizer_config(f.special_tokens_map, "special_tokens_map.json");
  auto gc = parse_generation_config(f.generation, "generation_config.json");
  SentencePieceModel spm;
  spm.file = "tokenizer.model";
  for (size_t i = 0; i < f.pieces.size(); ++i) {
    SpPiece p;
    p.piece = f.pieces[i];
    p.type = i == 3 ? SpPieceType::kUnknown : SpPieceType::kNormal;
    spm.pieces.push_back(p);
  }
  EXPECT_TRUE(tj.tokenizer && tc.config && sm.config && gc.config);
  TokenizerInputs in;
  in.tokenizer_json = f.with_json && tj.tokenizer ? &*tj.tokenizer : nullptr;
  in.sentencepiece = f.with_model ? &spm : nullptr;
  in.tokenizer_config = tc.config ? &*tc.config : nullptr;
  in.special_tokens_map = sm.config ? &*sm.config : nullptr;
  in.generation_config = gc.config ? &*gc.config : nullptr;
  in.config_vocab_size = f.vocab_size;
  in.config_vocab_pointer = "/text_config/vocab_size";
  in.embedding_rows = f.rows;
  in.embedding_file = "model.safetensors";
  in.embedding_tensor = "model.embed_tokens.weight";
  return check_tokenizer(in);
}

std::string edit(std::string s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "row does not apply: " << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(TokenizerChecks, ConsistentFilesGiveOnlyThePaddingNote) {
  Findings fs = run(Files{});
  ASSERT_EQ(fs.size(), 1u) << dump(fs);
  EXPECT_EQ(fs[0].code, "tokenizer.embedding_padding");
  EXPECT_EQ(fs[0].severity, Severity::kInfo);
  EXPECT_EQ(fs[0].where.tensor, "model.embed_tokens.weight");
  EXPECT_NE(fs[0].message.find("8 rows"), std::string::npos) << fs[0].message;
  EXPECT_NE(fs[0].message.find("uses 7"), std::string::npos) << fs[0].message;
}

TEST(TokenizerChecks, NothingToCompare) { EXPECT_TRUE(check_tokenizer(TokenizerInputs{}).empty()); }

struct Row {
  const char* name;
  std::function<void(Files&)> change;
  const char* code;
  Severity severity;
  const char* file;
  const char* pointer;
  const char* message_part;  // a piece of the message that names expected or found
};

class TokenizerCheckRows : public ::testing::TestWithParam<Row> {};

TEST_P(TokenizerCheckRows, ReportsTheFinding) {
  const Row& row = GetParam();
  Files files;
  row.change(files);
  Findings fs = run(files);
  const Finding* f = find_finding(fs, row.code, row.pointer);
  ASSERT_NE(f, nullptr) << "expected " << row.code << " at " << row.pointer << ", got:\n"
                        << dump(fs);
  EXPECT_EQ(f->severity, row.severity);
  EXPECT_EQ(f->where.file, row.file);
  EXPECT_NE(f->message.find(row.message_part), std::string::npos) << f->message;
}

const Row kRows[] = {
    {"vocab_size_too_small", [](Files& f) { f.vocab_size = 6; }, "tokenizer.vocab_size_too_small",
     Severity::kError, "config.json", "/text_config/vocab_size", "expected vocab_size >= 7"},
    {"id_beyond_embedding", [](Files& f) { f.rows = 6; }, "tokenizer.id_beyond_embedding",
     Severity::kError, "model.safetensors", "", "ids 6..6"},
    {"special_missing",
     [](Files& f) { f.tokenizer_config = edit(f.tokenizer_config, "\"<eos>\",", "\"<end>\","); },
     "tokenizer.special_token_missing", Severity::kError, "tokenizer_config.json", "/eos_token",
     "\"<end>\""},
    {"special_missing_in_map",
     [](Files& f) { f.special_tokens_map = edit(f.special_tokens_map, "\"<pad>\"", "\"<p>\""); },
     "tokenizer.special_token_missing", Severity::kError, "special_tokens_map.json", "/pad_token",
     "pad_token"},
    {"special_missing_object_form",
     [](Files& f) {
       f.tokenizer_config =
           edit(f.tokenizer_config, "{\"content\": \"<unk>\"}", "{\"content\": \"<u>\"}");
     },
     "tokenizer.special_token_missing", Severity::kError, "tokenizer_config.json",
     "/unk_token/content", "\"<u>\""},
    {"special_two_ids",
     [](Files& f) { f.tokenizer_json = edit(f.tokenizer_json, "\"b\": 5", "\"<img>\": 5"); },
     "tokenizer.special_token_ambiguous", Severity::kError, "tokenizer_config.json", "/image_token",
     "ids 5, 6"},
    {"special_decoder_id",
     [](Files& f) {
       f.tokenizer_config = edit(f.tokenizer_config, "\"6\": {\"content\": \"<img>\"}",
                                 "\"7\": {\"content\": \"<img>\"}");
     },
     "tokenizer.special_token_id_mismatch", Severity::kError, "tokenizer_config.json",
     "/image_token", "found id 7"},
    {"decoder_content",
     [](Files& f) {
       f.tokenizer_config = edit(f.tokenizer_config, "\"6\": {\"content\": \"<img>\"}",
                                 "\"6\": {\"content\": \"<img>\"}, \"4\": {\"content\": \"zz\"}");
     },
     "tokenizer.added_tokens_decoder_mismatch", Severity::kError, "tokenizer_config.json",
     "/added_tokens_decoder/4", "found \"a\""},
    {"decoder_unknown_id",
     [](Files& f) {
       f.tokenizer_config = edit(f.tokenizer_config, "\"6\": {\"content\": \"<img>\"}",
                                 "\"6\": {\"content\": \"<img>\"}, \"9\": {\"content\": \"x\"}");
     },
     "tokenizer.added_tokens_decoder_mismatch", Severity::kError, "tokenizer_config.json",
     "/added_tokens_decoder/9", "no token with that id"},
    // tokenizer_config.json has added_tokens_decoder: transformers never reads the map, so its
    // other token is only worth knowing.
    {"map_disagrees_unread",
     [](Files& f) { f.special_tokens_map = edit(f.special_tokens_map, "\"<eos>\"", "\"<bos>\""); },
     "tokenizer.special_token_conflict", Severity::kInfo, "special_tokens_map.json", "/eos_token",
     "loaders use \"<eos>\""},
    // Without added_tokens_decoder transformers merges the map over tokenizer_config.json: the
    // map's token is the one loaded.
    {"map_disagrees_loaded",
     [](Files& f) {
       f.special_tokens_map = edit(f.special_tokens_map, "\"<eos>\"", "\"<bos>\"");
       f.tokenizer_config = edit(f.tokenizer_config, "\"added_tokens_decoder\"", "\"x_unused\"");
     },
     "tokenizer.special_token_conflict", Severity::kWarning, "special_tokens_map.json",
     "/eos_token", "loaders use this file's \"<bos>\""},
    {"generation_beyond", [](Files& f) { f.generation = edit(f.generation, "[1]", "[1, 7]"); },
     "tokenizer.generation_id_out_of_range", Severity::kError, "generation_config.json",
     "/eos_token_id/1", "found 7"},
    {"generation_bos_other",
     [](Files& f) {
       f.generation = edit(f.generation, "\"bos_token_id\": 2", "\"bos_token_id\": 3");
     },
     "tokenizer.generation_id_mismatch", Severity::kWarning, "generation_config.json",
     "/bos_token_id", "include 2"},
    {"generation_eos_not_listed",
     [](Files& f) { f.generation = edit(f.generation, "[1]", "[4, 5]"); },
     "tokenizer.generation_id_mismatch", Severity::kWarning, "generation_config.json",
     "/eos_token_id", "found 4, 5"},
    {"model_piece_differs", [](Files& f) { f.pieces[4] = "x"; }, "tokenizer.model_vocab_mismatch",
     Severity::kError, "tokenizer.model", "", "1 ids that differ"},
    {"model_extra_piece", [](Files& f) { f.pieces.push_back("c"); },
     "tokenizer.model_vocab_mismatch", Severity::kError, "tokenizer.model", "",
     "1 only in tokenizer.model"},
    {"model_short", [](Files& f) { f.pieces.pop_back(); }, "tokenizer.model_vocab_mismatch",
     Severity::kError, "tokenizer.model", "", "1 only in tokenizer.json"},
    // Without tokenizer.json the pieces plus added_tokens_decoder stand in for the tokenizer.
    {"model_only_missing_special",
     [](Files& f) {
       f.with_json = false;
       f.tokenizer_config = edit(f.tokenizer_config, "\"<eos>\",", "\"<end>\",");
     },
     "tokenizer.special_token_missing", Severity::kError, "tokenizer_config.json", "/eos_token",
     "tokenizer.model + tokenizer_config.json"},
    {"model_only_beyond_embedding",
     [](Files& f) {
       f.with_json = false;
       f.rows = 5;
     },
     "tokenizer.id_beyond_embedding", Severity::kError, "model.safetensors", "",
     "max token id 6 (\"<img>\")"},
};

INSTANTIATE_TEST_SUITE_P(Findings, TokenizerCheckRows, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(TokenizerChecks, ModelOnlyConsistentFilesAreClean) {
  Files f;
  f.with_json = false;
  Findings fs = run(f);
  ASSERT_EQ(fs.size(), 1u) << dump(fs);
  EXPECT_EQ(fs[0].code, "tokenizer.embedding_padding");
}

// The real Gemma 3 files with the values Gemma 3 4B's config.json and checkpoint carry:
// vocab_size 262208 and 262208 embedding rows; generation_config as published by Google.
TEST(TokenizerChecks, RealGemma3IsConsistent) {
  auto dir = test::gemma3_dir();
  if (dir.empty()) GTEST_SKIP() << "Gemma 3 tokenizer absent: run ./scripts/setup.sh";
  auto tj = read_tokenizer_json(dir / "tokenizer.json", "tokenizer.json");
  auto tc = read_tokenizer_config(dir / "tokenizer_config.json", "tokenizer_config.json");
  auto gc = parse_generation_config(R"({"bos_token_id": 2, "eos_token_id": [1, 106],
                                        "pad_token_id": 0})",
                                    "generation_config.json");
  ASSERT_TRUE(tj.tokenizer && tc.config && gc.config);
  TokenizerInputs in;
  in.tokenizer_json = &*tj.tokenizer;
  in.tokenizer_config = &*tc.config;
  in.generation_config = &*gc.config;
  in.config_vocab_size = 262208;
  in.embedding_rows = 262208;
  Findings fs = check_tokenizer(in);
  ASSERT_EQ(fs.size(), 1u) << dump(fs);
  EXPECT_EQ(fs[0].code, "tokenizer.embedding_padding");
  EXPECT_NE(fs[0].message.find("63 rows"), std::string::npos) << fs[0].message;

  // One row fewer than the tokenizer needs is the classic "image token past the embedding".
  in.embedding_rows = 262144;
  fs = check_tokenizer(in);
  const Finding* f = find_finding(fs, "tokenizer.id_beyond_embedding");
  ASSERT_NE(f, nullptr) << dump(fs);
  EXPECT_NE(f->message.find("<image_soft_token>"), std::string::npos) << f->message;
}

}  // namespace
}  // namespace medq
