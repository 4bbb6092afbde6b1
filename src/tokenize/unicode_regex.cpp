#include "medq/tokenize/unicode_regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <fmt/format.h>

#include "medq/tokenize/tokenize_error.hpp"

namespace medq {

struct UnicodeRegex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

std::string translate_onig_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char n = p[i + 1];
      ++i;
      if (n == 's') {
        out += in_class ? "\\s\\x{85}" : "[\\s\\x{85}]";
      } else if (n == 'S') {
        if (in_class) {
          throw TokenizeError(fmt::format("regex '{}': \\S inside a class is not supported", p));
        }
        out += "[^\\s\\x{85}]";
      } else {
        out += c;
        out += n;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

namespace {

pcre2_code* compile(const std::string& pcre_pattern, std::string_view shown) {
  int err = 0;
  PCRE2_SIZE err_offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre_pattern.data()), pcre_pattern.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &err_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw TokenizeError(fmt::format("regex '{}' is not supported: {} (at byte {})", shown,
                                    reinterpret_cast<const char*>(buf), err_offset));
  }
  // JIT is an optimisation only: a platform without it still matches, more slowly.
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return code;
}

}  // namespace

UnicodeRegex::UnicodeRegex(std::string_view pattern)
    : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  impl_->code = compile(translate_onig_pattern(pattern), pattern);
}

UnicodeRegex UnicodeRegex::literal(std::string_view literal) {
  // \Q...\E quotes everything except a literal "\E", which is spelled out piecewise.
  std::string quoted = "\\Q";
  for (size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] == '\\' && i + 1 < literal.size() && literal[i + 1] == 'E') {
      quoted += "\\E\\\\\\Q";
      continue;
    }
    quoted += literal[i];
  }
  quoted += "\\E";
  UnicodeRegex r("");
  r.pattern_ = std::string(literal);
  pcre2_code_free(r.impl_->code);
  r.impl_->code = nullptr;
  r.impl_->code = compile(quoted, literal);
  return r;
}

UnicodeRegex::~UnicodeRegex() = default;
UnicodeRegex::UnicodeRegex(UnicodeRegex&&) noexcept = default;
UnicodeRegex& UnicodeRegex::operator=(UnicodeRegex&&) noexcept = default;

std::vector<std::pair<size_t, size_t>> UnicodeRegex::find_all(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> out;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (md == nullptr) throw std::bad_alloc();
  // A hostile pattern could backtrack for ever; past this many steps the match fails instead.
  pcre2_match_context* mc = pcre2_match_context_create(nullptr);
  if (mc == nullptr) {
    pcre2_match_data_free(md);
    throw std::bad_alloc();
  }
  pcre2_set_match_limit(mc, 10'000'000);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  while (pos <= text.size()) {
    const int rc = pcre2_match(impl_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      pcre2_match_data_free(md);
      pcre2_match_context_free(mc);
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(rc, buf, sizeof buf);
      throw TokenizeError(fmt::format("regex '{}': matching failed: {}", pattern_,
                                      reinterpret_cast<const char*>(buf)));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t b = ov[0];
    const size_t e = ov[1];
    if (b > text.size() || e > text.size() || e < b) break;  // cannot happen; never index past
    out.emplace_back(b, e);
    if (e > b) {
      pos = e;
    } else {
      // Empty match: step over one UTF-8 character.
      if (e >= text.size()) break;
      pos = e + 1;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
    }
  }
  pcre2_match_data_free(md);
  pcre2_match_context_free(mc);
  return out;
}

}  // namespace medq
