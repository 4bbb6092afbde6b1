// The pre-tokenizers of Hugging Face tokenizers that medq implements
// (tokenizers/src/pre_tokenizers/): Sequence, Split (string or regex pattern, every
// SplitDelimiterBehavior, invert), ByteLevel (Llama 3, Qwen 2/3: bytes to GPT-2 characters,
// optionally the GPT-2 split regex and a prefix space) and Metaspace (spaces to "▁", prepend
// scheme, split). Any other type is refused by name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "medq/tokenize/unicode_regex.hpp"

namespace medq {

/// One piece of the text on its way to the model. `at_origin`: the piece starts at byte 0 of the
/// original text (Metaspace's prepend_scheme "first" depends on it).
struct PreToken {
  std::string text;
  bool at_origin = false;
};

/// normalizer.rs, SplitDelimiterBehavior.
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

/// Splits `piece` at the matches of `re` as NormalizedString::split does, dropping empty pieces
/// (PreTokenizedString::split never keeps them).
void split_pieces(const UnicodeRegex& re, SplitBehavior behavior, bool invert,
                  const PreToken& piece, std::vector<PreToken>& out);

class PreTokenizer {
 public:
  enum class Kind { kSplit, kByteLevel, kMetaspace };
  enum class Prepend { kAlways, kFirst, kNever };
  struct Step {
    Kind kind = Kind::kSplit;
    std::shared_ptr<UnicodeRegex> pattern;  ///< kSplit; kByteLevel with use_regex
    SplitBehavior behavior = SplitBehavior::kIsolated;
    bool invert = false;
    bool add_prefix_space = false;  ///< kByteLevel
    std::string replacement;        ///< kMetaspace
    Prepend prepend = Prepend::kAlways;
    bool split = true;  ///< kMetaspace (then `pattern` is the replacement, literally)
  };

  PreTokenizer() = default;
  explicit PreTokenizer(std::vector<Step> steps) : steps_(std::move(steps)) {}

  /// Runs every step over `pieces`, in order.
  void apply(std::vector<PreToken>& pieces) const;
  /// True when a ByteLevel step maps the text to GPT-2 characters (pieces decode through it).
  bool byte_level() const;
  std::string describe() const;

 private:
  std::vector<Step> steps_;
};

/// The GPT-2 split pattern of byte_level.rs, used when ByteLevel has use_regex.
const char* gpt2_split_pattern();

}  // namespace medq
