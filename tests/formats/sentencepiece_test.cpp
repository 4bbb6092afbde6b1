#include "medq/formats/sentencepiece.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "../test_util.hpp"

namespace medq {
namespace {

using test::dump;
using test::find_finding;
using Bytes = std::string;  // protobuf bytes built by hand

// --- A minimal protobuf writer for the test inputs ---------------------------------------------

Bytes varint(uint64_t v) {
  Bytes out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
Bytes key(uint32_t field, int wire) { return varint((uint64_t{field} << 3) | wire); }
Bytes len_field(uint32_t field, const Bytes& body) {
  return key(field, 2) + varint(body.size()) + body;
}
Bytes varint_field(uint32_t field, uint64_t v) { return key(field, 0) + varint(v); }
Bytes float_field(uint32_t field, float f) {
  uint32_t bits = 0;
  std::memcpy(&bits, &f, 4);
  Bytes out = key(field, 5);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
  return out;
}

enum Type { kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6 };

Bytes piece(const std::string& text, int type = kNormal, float score = 0.0f) {
  Bytes body = len_field(1, text) + float_field(2, score);
  if (type != kNormal) body += varint_field(3, static_cast<uint64_t>(type));
  return len_field(1, body);
}
Bytes trainer(uint64_t vocab_size, bool byte_fallback) {
  return len_field(2, varint_field(3, 2) + varint_field(4, vocab_size) +
                          varint_field(35, byte_fallback ? 1 : 0) +
                          varint_field(43, static_cast<uint64_t>(int64_t{-1})));
}
Bytes base_pieces() {
  return piece("<unk>", kUnknown) + piece("<s>", kControl) + piece("</s>", kControl) +
         piece(
             "\xE2\x96\x81"
             "a",
             kNormal, -1.5f) +
         piece("b", kNormal, -2.0f);
}
Bytes clean_model() {
  return base_pieces() + trainer(5, false) + len_field(3, len_field(1, "nmt_nfkc"));
}
Bytes all_bytes(int skip = -1) {
  Bytes out;
  for (int b = 0; b < 256; ++b) {
    if (b != skip) out += piece(sentencepiece_byte_piece(static_cast<uint8_t>(b)), kByte);
  }
  return out;
}

SentencePieceResult parse(const Bytes& b) {
  return parse_sentencepiece(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()),
      "tokenizer.model");
}

TEST(SentencePiece, CleanModel) {
  auto r = parse(clean_model());
  ASSERT_TRUE(r.model.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  const auto& m = *r.model;
  ASSERT_EQ(m.pieces.size(), 5u);
  EXPECT_EQ(m.pieces[0].piece, "<unk>");
  EXPECT_EQ(m.pieces[0].type, SpPieceType::kUnknown);
  EXPECT_EQ(m.pieces[1].type, SpPieceType::kControl);
  EXPECT_EQ(m.pieces[3].piece,
            "\xE2\x96\x81"
            "a");
  EXPECT_FLOAT_EQ(m.pieces[3].score, -1.5f);
  EXPECT_EQ(m.pieces[4].type, SpPieceType::kNormal);
  ASSERT_TRUE(m.trainer_spec.has_value());
  EXPECT_EQ(m.trainer_spec->model_type, 2);
  EXPECT_EQ(m.trainer_spec->vocab_size, 5);
  EXPECT_FALSE(m.trainer_spec->byte_fallback);
  EXPECT_EQ(m.trainer_spec->pad_id, -1);  // a 10-byte sign-extended varint
  EXPECT_EQ(m.trainer_spec->unk_id, 0);   // proto default
  EXPECT_EQ(m.normalizer_name, "nmt_nfkc");
}

TEST(SentencePiece, ByteFallbackWithAll256BytePieces) {
  auto r = parse(base_pieces() + all_bytes() + trainer(5 + 256, true));
  ASSERT_TRUE(r.model.has_value());
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  EXPECT_TRUE(r.model->byte_fallback());
}

// Unknown fields of every wire type, at every level, are skipped without findings.
TEST(SentencePiece, UnknownFieldsOfEveryWireTypeAreSkipped) {
  Bytes unknown = varint_field(200, 12345) + key(201, 1) + Bytes(8, '\x07') +
                  len_field(202, "opaque") + key(203, 3) + varint_field(1, 1) + key(204, 3) +
                  key(204, 4) + key(203, 4) + key(205, 5) + Bytes(4, '\x01');
  Bytes p = len_field(1, unknown + len_field(1, "<unk>") + varint_field(3, kUnknown) + unknown);
  Bytes spec = len_field(2, unknown + varint_field(4, 2) + unknown);
  auto r = parse(unknown + p + len_field(4, "self test") + piece("x") + spec + unknown);
  ASSERT_TRUE(r.model.has_value()) << dump(r.findings);
  EXPECT_TRUE(r.findings.empty()) << dump(r.findings);
  ASSERT_EQ(r.model->pieces.size(), 2u);
  EXPECT_EQ(r.model->pieces[0].piece, "<unk>");
  EXPECT_EQ(r.model->trainer_spec->vocab_size, 2);
}

struct Row {
  const char* name;
  Bytes bytes;
  const char* code;
  Severity severity;
  std::optional<uint64_t> offset;  // expected byte offset, when the row pins one
};

class SentencePieceRows : public ::testing::TestWithParam<Row> {};

TEST_P(SentencePieceRows, ReportsTheFinding) {
  const Row& row = GetParam();
  auto r = parse(row.bytes);
  const Finding* f = find_finding(r.findings, row.code);
  ASSERT_NE(f, nullptr) << "expected " << row.code << ", got:\n" << dump(r.findings);
  EXPECT_EQ(f->severity, row.severity) << f->message;
  EXPECT_EQ(f->where.file, "tokenizer.model");
  // Messages stay printable, valid UTF-8 even when a piece is not.
  EXPECT_EQ(f->message.find('\xFF'), std::string::npos) << f->message;
  EXPECT_EQ(f->message.find('\n'), std::string::npos) << f->message;
  if (row.offset) {
    EXPECT_EQ(f->where.byte_offset, row.offset) << f->message;
  }
  if (row.code == std::string("tokenizer.spm_malformed")) {
    EXPECT_FALSE(r.model.has_value()) << "malformed bytes give no model";
  }
}

const Bytes kClean = clean_model();
const Row kRows[] = {
    {"truncated_varint", kClean + "\x08\x80", "tokenizer.spm_malformed", Severity::kError,
     kClean.size() + 1},
    {"length_past_end",
     kClean + "\x0A\x05"
              "ab",
     "tokenizer.spm_malformed", Severity::kError, kClean.size() + 1},
    {"nested_length_past_end",
     len_field(1, Bytes("\x0A\x09"
                        "ab",
                        4)),
     "tokenizer.spm_malformed", Severity::kError, 3},
    {"wire_type_6", kClean + "\x0E", "tokenizer.spm_malformed", Severity::kError, kClean.size()},
    {"field_zero", kClean + Bytes("\x00\x01", 2), "tokenizer.spm_malformed", Severity::kError,
     kClean.size()},
    {"varint_too_long", kClean + "\x08" + Bytes(10, '\xFF') + "\x01", "tokenizer.spm_malformed",
     Severity::kError, kClean.size() + 1},
    {"lone_end_group", kClean + key(9, 4), "tokenizer.spm_malformed", Severity::kError,
     std::nullopt},
    {"unclosed_group", kClean + key(9, 3) + varint_field(1, 1), "tokenizer.spm_malformed",
     Severity::kError, kClean.size() + 1},
    {"mismatched_group", kClean + key(9, 3) + key(8, 4), "tokenizer.spm_malformed",
     Severity::kError, std::nullopt},
    {"deep_groups",
     kClean +
         [] {
           Bytes b;
           for (int i = 0; i < 150; ++i) b += key(9, 3);
           return b;
         }(),
     "tokenizer.spm_malformed", Severity::kError, std::nullopt},
    {"no_pieces", trainer(0, false), "tokenizer.spm_no_pieces", Severity::kError, std::nullopt},
    {"empty_piece", base_pieces() + piece(""), "tokenizer.spm_empty_piece", Severity::kError,
     base_pieces().size() + 2},
    {"piece_without_text", base_pieces() + len_field(1, float_field(2, 0.f)),
     "tokenizer.spm_empty_piece", Severity::kError, std::nullopt},
    {"duplicate_piece", base_pieces() + piece("b"), "tokenizer.spm_duplicate_piece",
     Severity::kError, base_pieces().size() + 2},
    {"duplicate_invalid_utf8", base_pieces() + piece("\xFF\n") + piece("\xFF\n"),
     "tokenizer.spm_duplicate_piece", Severity::kError, std::nullopt},
    {"no_unknown", piece("a") + piece("b"), "tokenizer.spm_unk_count", Severity::kError,
     std::nullopt},
    {"two_unknown", base_pieces() + piece("<unk2>", kUnknown), "tokenizer.spm_unk_count",
     Severity::kError, std::nullopt},
    {"byte_without_fallback", base_pieces() + piece("<0x41>", kByte),
     "tokenizer.spm_byte_without_fallback", Severity::kError, base_pieces().size() + 2},
    {"byte_lowercase", base_pieces() + all_bytes() + piece("<0xab>", kByte) + trainer(262, true),
     "tokenizer.spm_bad_byte_piece", Severity::kError, std::nullopt},
    {"byte_not_hex", base_pieces() + all_bytes() + piece("<0xG1>", kByte) + trainer(262, true),
     "tokenizer.spm_bad_byte_piece", Severity::kError, std::nullopt},
    {"fallback_missing_one", base_pieces() + all_bytes(0x7F) + trainer(260, true),
     "tokenizer.spm_missing_byte_pieces", Severity::kError, std::nullopt},
    {"unknown_type", base_pieces() + len_field(1, len_field(1, "z") + varint_field(3, 9)),
     "tokenizer.spm_unknown_piece_type", Severity::kWarning, std::nullopt},
    {"wrong_wire_type", base_pieces() + len_field(1, varint_field(1, 5)),
     "tokenizer.spm_wrong_wire_type", Severity::kWarning, std::nullopt},
    {"vocab_size_mismatch", base_pieces() + trainer(8000, false),
     "tokenizer.spm_vocab_size_mismatch", Severity::kWarning, std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(Findings, SentencePieceRows, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

// Every prefix of a valid model must parse or fail cleanly (no crash, no hang); run under the
// sanitizer build this is a small fuzz pass over truncation.
TEST(SentencePiece, EveryTruncationFailsCleanly) {
  Bytes full = base_pieces() + all_bytes() + trainer(261, true);
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = parse(full.substr(0, n));
    if (!r.model) {
      EXPECT_NE(find_finding(r.findings, "tokenizer.spm_malformed"), nullptr) << n;
    }
  }
}

TEST(SentencePiece, IoErrors) {
  auto r = read_sentencepiece("/nonexistent/tokenizer.model", "tokenizer.model");
  EXPECT_NE(find_finding(r.findings, "tokenizer.unreadable"), nullptr);
  test::TempDir dir;
  auto big = dir.write("big.model", "x");
  std::filesystem::resize_file(big, kMaxSentencePieceBytes + 1);
  auto r2 = read_sentencepiece(big, "big.model");
  EXPECT_NE(find_finding(r2.findings, "tokenizer.too_large"), nullptr) << dump(r2.findings);
}

// Real models from google/sentencepiece's python tests (see /work/shared/realdata/README.md).
TEST(SentencePiece, RealModels) {
  std::filesystem::path dir = std::filesystem::path(MEDQ_REALDATA) / "tokenizer_model";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "realdata absent: " << dir;
  struct Expect {
    const char* file;
    size_t pieces;
  };
  for (const Expect& e : {Expect{"sentencepiece_python_test_test_model.model", 1000},
                          Expect{"sentencepiece_python_test_test_ja_model.model", 8000}}) {
    auto r = read_sentencepiece(dir / e.file, e.file);
    ASSERT_TRUE(r.model.has_value()) << e.file << "\n" << dump(r.findings);
    EXPECT_TRUE(r.findings.empty()) << e.file << "\n" << dump(r.findings);
    const auto& m = *r.model;
    EXPECT_EQ(m.pieces.size(), e.pieces) << e.file;
    EXPECT_EQ(m.pieces[0].piece, "<unk>");
    EXPECT_EQ(m.pieces[0].type, SpPieceType::kUnknown);
    EXPECT_EQ(m.pieces[1].piece, "<s>");
    EXPECT_EQ(m.pieces[2].piece, "</s>");
    ASSERT_TRUE(m.trainer_spec.has_value());
    EXPECT_EQ(m.trainer_spec->model_type, 1) << "unigram";
    EXPECT_EQ(m.trainer_spec->vocab_size, static_cast<int32_t>(e.pieces));
    EXPECT_FALSE(m.byte_fallback());
  }
}

}  // namespace
}  // namespace medq
