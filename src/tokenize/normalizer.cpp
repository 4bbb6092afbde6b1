#include "medq/tokenize/normalizer.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "medq/tokenize/tokenize_error.hpp"

namespace medq {

namespace {

std::string icu_normalize(const std::string& s, Normalizer::Kind kind) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (kind) {
    case Normalizer::Kind::kNfc:
      n = icu::Normalizer2::getNFCInstance(err);
      break;
    case Normalizer::Kind::kNfd:
      n = icu::Normalizer2::getNFDInstance(err);
      break;
    case Normalizer::Kind::kNfkc:
      n = icu::Normalizer2::getNFKCInstance(err);
      break;
    default:
      n = icu::Normalizer2::getNFKDInstance(err);
      break;
  }
  if (U_FAILURE(err) || n == nullptr) throw TokenizeError("ICU normalizer unavailable");
  const icu::UnicodeString in =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  // Already-normalized text (the common case) costs one quick check and no copy.
  if (n->isNormalized(in, err) && U_SUCCESS(err)) return s;
  err = U_ZERO_ERROR;
  const icu::UnicodeString out = n->normalize(in, err);
  if (U_FAILURE(err)) throw TokenizeError("ICU normalization failed");
  std::string r;
  out.toUTF8String(r);
  return r;
}

}  // namespace

void Normalizer::apply(std::string& s) const {
  for (const Step& st : steps_) {
    switch (st.kind) {
      case Kind::kReplace: {
        if (s.empty()) break;
        const auto matches = st.pattern->find_all(s);
        if (matches.empty()) break;
        std::string out;
        out.reserve(s.size() + matches.size() * st.content.size());
        size_t prev = 0;
        for (const auto& [b, e] : matches) {
          out.append(s, prev, b - prev);
          out += st.content;
          prev = e;
        }
        out.append(s, prev, std::string::npos);
        s = std::move(out);
        break;
      }
      case Kind::kPrepend:
        if (!s.empty()) s.insert(0, st.content);
        break;
      default:
        if (s.size() > static_cast<size_t>(INT32_MAX) / 2) {
          throw TokenizeError("text too long for Unicode normalization");
        }
        s = icu_normalize(s, st.kind);
        break;
    }
  }
}

std::string Normalizer::describe() const {
  std::string out;
  for (const Step& st : steps_) {
    if (!out.empty()) out += ", ";
    switch (st.kind) {
      case Kind::kReplace:
        out += "Replace";
        break;
      case Kind::kPrepend:
        out += "Prepend";
        break;
      case Kind::kNfc:
        out += "NFC";
        break;
      case Kind::kNfd:
        out += "NFD";
        break;
      case Kind::kNfkc:
        out += "NFKC";
        break;
      case Kind::kNfkd:
        out += "NFKD";
        break;
    }
  }
  return out.empty() ? "none" : out;
}

}  // namespace medq
