// The normalizers of Hugging Face tokenizers that medq implements
// (tokenizers/src/normalizers/): Sequence, Replace (string or regex pattern), Prepend, and the
// Unicode forms NFC, NFD, NFKC, NFKD (through ICU). Gemma 3 uses Replace " " -> "▁", Llama 2 and
// Mistral Prepend + Replace, Qwen 2/3 NFC. Any other type is refused by name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/tokenize/unicode_regex.hpp"

namespace medq {

class Normalizer {
 public:
  enum class Kind { kReplace, kPrepend, kNfc, kNfd, kNfkc, kNfkd };
  struct Step {
    Kind kind = Kind::kReplace;
    std::shared_ptr<UnicodeRegex> pattern;  ///< kReplace
    std::string content;                    ///< kReplace: the replacement; kPrepend: the prefix
  };

  Normalizer() = default;
  explicit Normalizer(std::vector<Step> steps) : steps_(std::move(steps)) {}

  /// Normalizes `s` in place, step by step, as NormalizedString does (replace.rs, prepend.rs,
  /// unicode.rs). Prepend adds its prefix only to a non-empty string.
  void apply(std::string& s) const;
  bool empty() const { return steps_.empty(); }
  /// "Sequence[Replace, NFC]"-style summary for reports.
  std::string describe() const;

 private:
  std::vector<Step> steps_;
};

}  // namespace medq
