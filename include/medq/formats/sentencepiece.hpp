// Reader for SentencePiece tokenizer.model files (docs/formats.md §C.1): a protobuf (proto2)
// ModelProto decoded straight from the wire format with every varint and length bounds-checked,
// keeping the pieces, the trainer_spec fields the checks need and the normalizer name. It then
// applies the load-time rules of sentencepiece's ModelInterface::InitializePieces as findings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/io/storage.hpp"

namespace medq {

/// Files larger than this are refused ("tokenizer.too_large"); Gemma 3's is 4.5 MB.
inline constexpr uint64_t kMaxSentencePieceBytes = uint64_t{256} << 20;

/// Most pieces kept; bounds memory on hostile input ("tokenizer.too_many_entries").
inline constexpr size_t kMaxSentencePieces = size_t{1} << 22;

/// ModelProto.SentencePiece.Type; values outside 1..6 are kept as kNormal (proto2 semantics).
enum class SpPieceType : uint8_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6
};

struct SpPiece {
  std::string piece;
  float score = 0;
  SpPieceType type = SpPieceType::kNormal;
  uint64_t offset = 0;  ///< byte offset of the piece's message in the file
};

/// The TrainerSpec fields medq uses, with the proto defaults when absent.
struct SpTrainerSpec {
  int32_t model_type = 1;             ///< UNIGRAM=1, BPE=2, WORD=3, CHAR=4
  std::optional<int32_t> vocab_size;  ///< absent when not written (proto default 8000)
  bool byte_fallback = false;
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
};

struct SentencePieceModel {
  std::string file;                            ///< label given to the reader, used in findings
  std::vector<SpPiece> pieces;                 ///< piece id = index
  std::optional<SpTrainerSpec> trainer_spec;   ///< absent when the file has none
  std::optional<std::string> normalizer_name;  ///< normalizer_spec.name

  bool byte_fallback() const { return trainer_spec && trainer_spec->byte_fallback; }
};

struct SentencePieceResult {
  /// Set when the bytes are a well-formed protobuf; rule violations are findings beside it.
  std::optional<SentencePieceModel> model;
  Findings findings;
};

/// Parses a whole tokenizer.model held in memory. `file_label` names the file in findings.
SentencePieceResult parse_sentencepiece(std::span<const uint8_t> bytes,
                                        std::string_view file_label);

/// Reads `path` (size-capped) and parses it.
SentencePieceResult read_sentencepiece(const std::filesystem::path& path,
                                       std::string_view file_label);

/// The same for an opened entry (one that could not be opened is "tokenizer.unreadable").
SentencePieceResult read_sentencepiece(Opened file, std::string_view file_label);

/// "<0xHH>" with uppercase hex: sentencepiece's spelling of byte piece `b` (ByteToPiece).
std::string sentencepiece_byte_piece(uint8_t b);

}  // namespace medq
