#include "medq/formats/sentencepiece.hpp"

#include <bit>
#include <utility>

#include <fmt/format.h>

#include "medq/diag/finding_cap.hpp"
#include "medq/diag/quote.hpp"
#include "medq/formats/token_vocab.hpp"
#include "medq/io/local_storage.hpp"
#include "protobuf_wire.hpp"

namespace medq {

std::string sentencepiece_byte_piece(uint8_t b) { return fmt::format("<0x{:02X}>", b); }

namespace {

using detail::WireReader;
using detail::WireType;

// Field numbers (docs/formats.md §C.1).
constexpr uint32_t kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr uint32_t kPiecePiece = 1, kPieceScore = 2, kPieceType = 3;
constexpr uint32_t kTrainerModelType = 3, kTrainerVocabSize = 4, kTrainerByteFallback = 35,
                   kTrainerUnkId = 40, kTrainerBosId = 41, kTrainerEosId = 42, kTrainerPadId = 43;
constexpr uint32_t kNormalizerName = 1;

class Parser {
 public:
  Parser(SentencePieceModel* out, CappedFindings* findings) : out_(out), findings_(findings) {}

  /// Decodes the whole file; false (with one "tokenizer.spm_malformed" finding) on bad bytes.
  bool model(std::span<const uint8_t> bytes) {
    WireReader r(bytes, 0);
    while (!r.at_end()) {
      uint64_t key_at = r.offset();
      uint32_t field = 0;
      WireType type{};
      if (!r.tag(&field, &type)) return malformed(r);
      bool known =
          field == kModelPieces || field == kModelTrainerSpec || field == kModelNormalizerSpec;
      if (!known || !expect(type, WireType::kLen, "ModelProto", field, key_at)) {
        if (!r.skip(field, type)) return malformed(r);
        continue;
      }
      std::span<const uint8_t> body;
      uint64_t at = 0;
      if (!r.bytes(&body, &at)) return malformed(r);
      bool ok = field == kModelPieces        ? piece(body, at)
                : field == kModelTrainerSpec ? trainer_spec(body, at)
                                             : normalizer_spec(body, at);
      if (!ok) return false;
    }
    return true;
  }

 private:
  bool piece(std::span<const uint8_t> body, uint64_t base) {
    if (out_->pieces.size() >= kMaxSentencePieces) {
      report("tokenizer.too_many_entries", Severity::kError, base,
             fmt::format("expected at most {} pieces, found more", kMaxSentencePieces));
      return false;
    }
    SpPiece p;
    p.offset = base;
    WireReader r(body, base);
    while (!r.at_end()) {
      uint64_t key_at = r.offset();
      uint32_t field = 0;
      WireType type{};
      if (!r.tag(&field, &type)) return malformed(r);
      if (field == kPiecePiece && expect(type, WireType::kLen, "SentencePiece", field, key_at)) {
        std::span<const uint8_t> s;
        uint64_t at = 0;
        if (!r.bytes(&s, &at)) return malformed(r);
        p.piece.assign(reinterpret_cast<const char*>(s.data()), s.size());
      } else if (field == kPieceScore &&
                 expect(type, WireType::kFixed32, "SentencePiece", field, key_at)) {
        uint32_t bits = 0;
        if (!r.fixed32(&bits)) return malformed(r);
        p.score = std::bit_cast<float>(bits);
      } else if (field == kPieceType &&
                 expect(type, WireType::kVarint, "SentencePiece", field, key_at)) {
        uint64_t v = 0;
        if (!r.varint(&v)) return malformed(r);
        if (v >= 1 && v <= 6) {
          p.type = static_cast<SpPieceType>(v);
        } else {
          report("tokenizer.spm_unknown_piece_type", Severity::kWarning, key_at,
                 fmt::format("pieces[{}]: expected a type 1..6 (NORMAL..BYTE), found {}; proto2 "
                             "keeps the default NORMAL",
                             out_->pieces.size(), v));
        }
      } else if (!r.skip(field, type)) {
        return malformed(r);
      }
    }
    out_->pieces.push_back(std::move(p));
    return true;
  }

  bool trainer_spec(std::span<const uint8_t> body, uint64_t base) {
    SpTrainerSpec spec = out_->trainer_spec.value_or(SpTrainerSpec{});
    WireReader r(body, base);
    while (!r.at_end()) {
      uint64_t key_at = r.offset();
      uint32_t field = 0;
      WireType type{};
      if (!r.tag(&field, &type)) return malformed(r);
      int32_t* target = field == kTrainerModelType ? &spec.model_type
                        : field == kTrainerUnkId   ? &spec.unk_id
                        : field == kTrainerBosId   ? &spec.bos_id
                        : field == kTrainerEosId   ? &spec.eos_id
                        : field == kTrainerPadId   ? &spec.pad_id
                                                   : nullptr;
      bool wanted =
          target != nullptr || field == kTrainerVocabSize || field == kTrainerByteFallback;
      if (!wanted || !expect(type, WireType::kVarint, "TrainerSpec", field, key_at)) {
        if (!r.skip(field, type)) return malformed(r);
        continue;
      }
      uint64_t v = 0;
      if (!r.varint(&v)) return malformed(r);
      // int32 fields keep the low 32 bits; negative values arrive sign-extended to 64 bits.
      auto as_int32 = static_cast<int32_t>(static_cast<uint32_t>(v & 0xFFFFFFFFu));
      if (target != nullptr) {
        *target = as_int32;
      } else if (field == kTrainerVocabSize) {
        spec.vocab_size = as_int32;
      } else {
        spec.byte_fallback = v != 0;
      }
    }
    out_->trainer_spec = spec;
    return true;
  }

  bool normalizer_spec(std::span<const uint8_t> body, uint64_t base) {
    WireReader r(body, base);
    while (!r.at_end()) {
      uint64_t key_at = r.offset();
      uint32_t field = 0;
      WireType type{};
      if (!r.tag(&field, &type)) return malformed(r);
      if (field == kNormalizerName &&
          expect(type, WireType::kLen, "NormalizerSpec", field, key_at)) {
        std::span<const uint8_t> s;
        uint64_t at = 0;
        if (!r.bytes(&s, &at)) return malformed(r);
        out_->normalizer_name.emplace(reinterpret_cast<const char*>(s.data()), s.size());
      } else if (!r.skip(field, type)) {
        return malformed(r);
      }
    }
    return true;
  }

  // A known field with an unexpected wire type is kept as an unknown field by protobuf; say so.
  bool expect(WireType got, WireType want, std::string_view message, uint32_t field, uint64_t at) {
    if (got == want) return true;
    report("tokenizer.spm_wrong_wire_type", Severity::kWarning, at,
           fmt::format("{} field {}: expected wire type {}, found {}; the value is ignored",
                       message, field, static_cast<int>(want), static_cast<int>(got)));
    return false;
  }

  bool malformed(const WireReader& r) {
    report("tokenizer.spm_malformed", Severity::kError, r.error_offset(),
           "expected a valid protobuf ModelProto, found: " + r.error());
    return false;
  }

  void report(std::string code, Severity sev, uint64_t at, std::string message) {
    Finding f;
    f.code = std::move(code);
    f.severity = sev;
    f.where.file = out_->file;
    f.where.byte_offset = at;
    f.message = std::move(message);
    findings_->add(std::move(f));
  }

  SentencePieceModel* out_;
  CappedFindings* findings_;

  friend void check_pieces(Parser&, const SentencePieceModel&);
};

// Returns the byte a piece spelled "<0xHH>" (uppercase hex) stands for, or -1.
int piece_to_byte(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = hex(p[3]), lo = hex(p[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// The rules of sentencepiece's ModelInterface::InitializePieces, plus the trainer_spec sanity
// checks that loaders do not make but that catch a mismatched file.
void check_pieces(Parser& p, const SentencePieceModel& m) {
  const auto& pieces = m.pieces;
  if (pieces.empty()) {
    p.report("tokenizer.spm_no_pieces", Severity::kError, 0,
             "expected at least one piece, found none");
    return;
  }
  TokenVocab by_text;
  size_t unknown = 0;
  std::vector<bool> have_byte(256, false);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const SpPiece& sp = pieces[i];
    by_text.add(static_cast<uint32_t>(i), sp.piece);
    if (sp.piece.empty()) {
      p.report("tokenizer.spm_empty_piece", Severity::kError, sp.offset,
               fmt::format("pieces[{}]: expected a non-empty piece, found an empty one", i));
    }
    if (sp.type == SpPieceType::kUnknown) ++unknown;
    if (sp.type != SpPieceType::kByte) continue;
    if (!m.byte_fallback()) {
      p.report("tokenizer.spm_byte_without_fallback", Severity::kError, sp.offset,
               fmt::format("pieces[{}]: BYTE piece {} needs trainer_spec.byte_fallback = true, "
                           "found it false",
                           i, quote_text(sp.piece)));
    }
    int b = piece_to_byte(sp.piece);
    if (b < 0) {
      p.report("tokenizer.spm_bad_byte_piece", Severity::kError, sp.offset,
               fmt::format("pieces[{}]: expected a BYTE piece spelled <0xHH> (uppercase hex), "
                           "found {}",
                           i, quote_text(sp.piece)));
    } else {
      have_byte[static_cast<size_t>(b)] = true;
    }
  }
  by_text.finish();
  for (size_t k : by_text.duplicate_token_entries()) {
    uint32_t id = by_text.id_at(k);
    auto first = by_text.find(by_text.token_at(k));
    p.report("tokenizer.spm_duplicate_piece", Severity::kError, pieces[id].offset,
             fmt::format("pieces[{}]: expected unique pieces, found {} already defined as "
                         "pieces[{}]",
                         id, quote_text(by_text.token_at(k)), first ? *first : id));
  }
  if (unknown != 1) {
    p.report("tokenizer.spm_unk_count", Severity::kError, 0,
             fmt::format("expected exactly one UNKNOWN piece, found {}", unknown));
  }
  if (m.byte_fallback()) {
    int missing = 0, first = -1;
    for (int b = 0; b < 256; ++b) {
      if (!have_byte[static_cast<size_t>(b)] && missing++ == 0) first = b;
    }
    if (missing > 0) {
      p.report("tokenizer.spm_missing_byte_pieces", Severity::kError, 0,
               fmt::format("expected all 256 BYTE pieces with byte_fallback, found {} missing "
                           "(first: {})",
                           missing, sentencepiece_byte_piece(static_cast<uint8_t>(first))));
    }
  }
  if (m.trainer_spec && m.trainer_spec->vocab_size &&
      static_cast<int64_t>(*m.trainer_spec->vocab_size) != static_cast<int64_t>(pieces.size())) {
    p.report("tokenizer.spm_vocab_size_mismatch", Severity::kWarning, 0,
             fmt::format("expected trainer_spec.vocab_size to equal the {} pieces, found {}",
                         pieces.size(), *m.trainer_spec->vocab_size));
  }
}

Finding file_error(std::string code, std::string_view file, std::string message) {
  Finding f;
  f.code = std::move(code);
  f.where.file = std::string(file);
  f.message = std::move(message);
  return f;
}

}  // namespace

SentencePieceResult parse_sentencepiece(std::span<const uint8_t> bytes,
                                        std::string_view file_label) {
  SentencePieceResult result;
  SentencePieceModel m;
  m.file = std::string(file_label);
  CappedFindings findings(&result.findings);
  Parser parser(&m, &findings);
  if (parser.model(bytes)) {
    check_pieces(parser, m);
    result.model = std::move(m);
  }
  findings.flush(std::string(file_label));
  return result;
}

SentencePieceResult read_sentencepiece(const std::filesystem::path& path,
                                       std::string_view file_label) {
  return read_sentencepiece(open_local(path), file_label);
}

SentencePieceResult read_sentencepiece(Opened opened, std::string_view file_label) {
  SentencePieceResult result;
  std::string err;
  const ByteSource* file = opened.source.get();
  if (!file) {
    result.findings.push_back(file_error("tokenizer.unreadable", file_label, opened.error));
    return result;
  }
  if (file->size() > kMaxSentencePieceBytes) {
    result.findings.push_back(file_error(
        "tokenizer.too_large", file_label,
        fmt::format("expected at most {} bytes, found {}", kMaxSentencePieceBytes, file->size())));
    return result;
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(file->size()));
  if (!file->read_at(0, bytes.data(), bytes.size(), &err)) {
    result.findings.push_back(file_error("tokenizer.unreadable", file_label, err));
    return result;
  }
  return parse_sentencepiece(bytes, file_label);
}

}  // namespace medq
