// A compiled Unicode regular expression (PCRE2 in UTF mode with Unicode properties, JIT-compiled
// where available), used where Hugging Face tokenizers uses Oniguruma: the Split pre-tokenizer,
// the ByteLevel pre-tokenizer's GPT-2 pattern and the Replace normalizer
// (tokenizers/src/utils/onig.rs, tokenizer/pattern.rs).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medq {

class UnicodeRegex {
 public:
  /// Compiles `pattern` (Oniguruma syntax as tokenizers writes it; see translate_onig_pattern).
  /// Throws TokenizeError naming the pattern when PCRE2 rejects it.
  explicit UnicodeRegex(std::string_view pattern);
  /// A regex matching `literal` exactly (tokenizers escapes a String pattern the same way).
  static UnicodeRegex literal(std::string_view literal);
  ~UnicodeRegex();
  UnicodeRegex(UnicodeRegex&&) noexcept;
  UnicodeRegex& operator=(UnicodeRegex&&) noexcept;
  UnicodeRegex(const UnicodeRegex&) = delete;
  UnicodeRegex& operator=(const UnicodeRegex&) = delete;

  /// Every non-overlapping match in valid UTF-8 `text`, left to right, as byte ranges
  /// [begin, end). After an empty match the search resumes one character later, as Oniguruma's
  /// find_iter does.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

/// Rewrites what Oniguruma and PCRE2 read differently: Oniguruma's Unicode `\s` is the
/// White_Space property, which includes U+0085 (NEL); PCRE2's `\s` with UCP is the Z categories
/// plus \t\n\v\f\r, without it. `\s` becomes `[\s\x{85}]` (inside a class, `\s\x{85}`), `\S`
/// outside a class becomes `[^\s\x{85}]`. A `\S` inside a class is refused.
std::string translate_onig_pattern(std::string_view pattern);

}  // namespace medq
