// The input of a quality measurement as a user names it — a token-id file (--tokens), a text file
// (--text), or neither (the bundled evaluation text) — read into memory for measure_quality.
// Shared by `medq quality`, `medq compare --quality` and a policy's quality rules.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "medq/analysis/quality_run.hpp"

namespace medq {

/// The largest text file read: far more than an evaluation needs (the bundled text is 30 KB),
/// small enough that the tokens and hidden states of its chunks stay in memory. Token-id files
/// have the same cap.
inline constexpr uint64_t kMaxEvalTextBytes = uint64_t{64} << 20;

struct QualityInputData {
  std::vector<uint32_t> tokens;  ///< from a token-id file
  std::string text;              ///< from a text file
  bool from_text = false;        ///< a text (a file, or the bundled one), not token ids
  bool bundled = false;          ///< the bundled evaluation text (`text` is empty)
  std::string source;            ///< the file as given, or kBundledEvalTextName

  /// What measure_quality reads; valid while this object lives.
  QualityInput view() const;
};

/// Reads `tokens_file` (token ids, parse_token_ids) when it is not empty, else `text_file` (at
/// most kMaxEvalTextBytes, not empty; UTF-8 is checked by the measurement) when it is not empty,
/// else takes the bundled evaluation text. nullopt with `*err` saying what is wrong with the
/// file, naming it as given.
std::optional<QualityInputData> load_quality_input(const std::string& tokens_file,
                                                   const std::string& text_file, std::string* err);

}  // namespace medq
