#include "medq/formats/tokenizer_json.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/check/display.hpp"
#include "medq/check/finding_cap.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/io/file.hpp"
#include "medq/io/text_position.hpp"
#include "tokenizer_json_checks.hpp"
#include "tokenizer_json_sax.hpp"

namespace medq {

std::string_view model_type_name(TokenizerModelType t) {
  switch (t) {
    case TokenizerModelType::kBPE:
      return "BPE";
    case TokenizerModelType::kUnigram:
      return "Unigram";
    case TokenizerModelType::kWordPiece:
      return "WordPiece";
    case TokenizerModelType::kWordLevel:
      return "WordLevel";
    case TokenizerModelType::kUnknown:
      break;
  }
  return "unknown";
}

uint64_t TokenizerJson::token_space() const {
  uint64_t space = 0;
  if (auto m = vocab.max_id()) space = uint64_t{*m} + 1;
  for (const AddedToken& t : added_tokens) space = std::max(space, uint64_t{t.id} + 1);
  return space;
}

std::vector<uint32_t> TokenizerJson::ids_of(std::string_view content) const {
  std::vector<uint32_t> ids = vocab.ids_of(content);
  for (const AddedToken& t : added_tokens) {
    if (t.content == content) ids.push_back(t.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::optional<std::string_view> TokenizerJson::token(uint32_t id) const {
  for (const AddedToken& t : added_tokens) {
    if (t.id == id) return std::string_view(t.content);
  }
  return vocab.token(id);
}

namespace {

/// Feeds nlohmann's lexer from a File in 64 KiB positioned reads. The lexer holds a single
/// copy of the iterator and compares it with the end sentinel before every character, so the
/// buffer window lives in the iterator itself and a refill happens inside that comparison.
struct ChunkSource {
  const File* file = nullptr;
  std::vector<char> buf = std::vector<char>(64 * 1024);
  uint64_t next_offset = 0;
  std::string error;
  std::string too_large;              // a string longer than kMaxTokenizerJsonStringBytes
  std::optional<uint64_t> first_nul;  // nlohmann's lexer takes a NUL byte for the end of input
  // Where the chunks stand in the JSON text: inside a string, after a backslash, how long.
  bool in_string = false;
  bool escaped = false;
  uint64_t string_bytes = 0;

  // Reads the next chunk; returns its size (0 at end of file, on error, or once a string is
  // longer than the cap: the lexer then stops as at the end of the input).
  size_t refill() {
    if (!error.empty() || !too_large.empty() || next_offset >= file->size()) return 0;
    auto got = file->read_some_at(next_offset, buf.data(), buf.size(), &error);
    if (!got) return 0;
    if (!scan_strings(*got)) return 0;
    if (!first_nul) {
      if (const void* nul = std::memchr(buf.data(), 0, *got)) {
        first_nul = next_offset + static_cast<uint64_t>(static_cast<const char*>(nul) - buf.data());
      }
    }
    next_offset += *got;
    return *got;
  }

  // Follows the string boundaries through the chunk; false once one string is too long.
  bool scan_strings(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (!in_string) {
        in_string = c == '"';
        string_bytes = 0;
        continue;
      }
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        continue;
      }
      if (++string_bytes > kMaxTokenizerJsonStringBytes) {
        too_large =
            fmt::format("a JSON string longer than {} bytes (at byte {}); medq reads no further",
                        kMaxTokenizerJsonStringBytes, next_offset + i);
        return false;
      }
    }
    return true;
  }
};

class ChunkIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  explicit ChunkIterator(ChunkSource* src) : src_(src) {}

  reference operator*() const { return *cur_; }
  ChunkIterator& operator++() {
    ++cur_;
    return *this;
  }
  ChunkIterator operator++(int) {
    ChunkIterator t = *this;
    ++cur_;
    return t;
  }
  bool operator==(const ChunkIterator& o) const { return at_end() == o.at_end(); }
  bool operator!=(const ChunkIterator& o) const { return !(*this == o); }

 private:
  bool at_end() const {
    if (cur_ != lim_) return false;
    if (src_ == nullptr) return true;
    size_t n = src_->refill();
    if (n == 0) return true;
    cur_ = src_->buf.data();
    lim_ = cur_ + n;
    return false;
  }
  ChunkSource* src_;
  mutable const char* cur_ = nullptr;
  mutable const char* lim_ = nullptr;
};

Finding file_finding(std::string code, std::string_view file, std::string message) {
  Finding f;
  f.code = std::move(code);
  f.severity = Severity::kError;
  f.where.file = std::string(file);
  f.message = std::move(message);
  return f;
}

// nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3, column 7:
// syntax error while parsing value - invalid literal; last read: 'tru,'". Keep the part after
// the position (medq reports its own) and make it safe for a one-line, UTF-8 report.
std::string syntax_message(const std::string& what) {
  std::string_view w = what;
  if (auto col = w.find("column "); col != std::string_view::npos) {
    if (auto colon = w.find(": ", col); colon != std::string_view::npos) w = w.substr(colon + 2);
  }
  if (w.size() > 200) w = w.substr(0, 200);
  std::string out;
  for (char c : w) out += (static_cast<unsigned char>(c) < 0x20 || c & 0x80) ? '?' : c;
  return out;
}

// Runs the SAX parse over [first, last) and turns parser-level failures into findings.
// `position_of` maps a byte offset to a line and column (only called on a syntax error).
template <typename It, typename PositionFn, typename NulFn>
TokenizerJsonResult run(It first, It last, std::string_view file_label, PositionFn position_of,
                        NulFn first_nul, const std::string* io_error,
                        const std::string* too_large) {
  TokenizerJsonResult result;
  TokenizerJson tok;
  tok.file = std::string(file_label);
  detail::TokenizerJsonFacts facts;
  CappedFindings findings(&result.findings);
  detail::TokenizerJsonSax sax(&tok, &facts, &findings);
  bool ok = nlohmann::json::sax_parse(first, last, &sax, nlohmann::json::input_format_t::json,
                                      /*strict=*/true);
  if (too_large != nullptr && !too_large->empty()) {
    findings.add(file_finding("tokenizer.too_large", file_label, *too_large));
    findings.flush(tok.file);
    return result;
  }
  if (io_error != nullptr && !io_error->empty()) {
    findings.add(file_finding("tokenizer.unreadable", file_label, *io_error));
    findings.flush(tok.file);
    return result;
  }
  // JSON allows no raw NUL byte, but nlohmann stops at one as if the input ended, so a file with
  // garbage after a NUL would pass. Only a NUL before the point where parsing stopped counts.
  if (std::optional<uint64_t> nul = first_nul();
      nul && (ok || (facts.syntax_error && *nul <= facts.error_byte))) {
    ok = false;
    facts.syntax_error = true;
    facts.depth_exceeded = false;
    facts.error_byte = *nul;
    facts.error_message = "unexpected NUL byte";
  }
  if (!ok || facts.syntax_error || facts.depth_exceeded) {
    if (facts.depth_exceeded) {
      findings.add(file_finding(
          "tokenizer.json_too_deep", file_label,
          fmt::format("expected JSON nested at most {} levels deep (serde_json's limit), found "
                      "deeper nesting",
                      kMaxJsonDepth)));
    } else {
      Finding f =
          file_finding("tokenizer.invalid_json", file_label, syntax_message(facts.error_message));
      TextPosition p = position_of(facts.error_byte);
      f.where.byte_offset = facts.error_byte;
      f.where.line = p.line;
      f.where.column = p.column;
      findings.add(std::move(f));
    }
    findings.flush(tok.file);
    return result;
  }
  if (!facts.root_is_object) {
    findings.add(file_finding("tokenizer.not_object", file_label,
                              "expected a JSON object at the top level, found another value"));
    findings.flush(tok.file);
    return result;
  }
  detail::check_tokenizer_json(tok, facts, &findings);
  findings.flush(tok.file);
  result.tokenizer = std::move(tok);
  return result;
}

}  // namespace

TokenizerJsonResult parse_tokenizer_json(std::string_view text, std::string_view file_label) {
  return run(
      text.data(), text.data() + text.size(), file_label,
      [&](uint64_t offset) { return text_position(text, offset); },
      [&]() -> std::optional<uint64_t> {
        auto nul = text.find('\0');
        if (nul == std::string_view::npos) return std::nullopt;
        return nul;
      },
      nullptr, nullptr);
}

TokenizerJsonResult read_tokenizer_json(const std::filesystem::path& path,
                                        std::string_view file_label) {
  std::string err;
  auto file = File::open(path, &err);
  if (!file) {
    TokenizerJsonResult r;
    r.findings.push_back(file_finding("tokenizer.unreadable", file_label, err));
    return r;
  }
  if (file->size() > kMaxTokenizerJsonBytes) {
    TokenizerJsonResult r;
    r.findings.push_back(file_finding(
        "tokenizer.too_large", file_label,
        fmt::format("expected at most {} bytes, found {}", kMaxTokenizerJsonBytes, file->size())));
    return r;
  }
  ChunkSource src;
  src.file = &*file;
  // Only on a syntax error: read the file again up to the offset, counting lines.
  auto position_of = [&](uint64_t offset) {
    TextPositionCounter counter;
    std::vector<char> buf(64 * 1024);
    uint64_t at = 0;
    std::string read_err;
    while (at < offset) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), offset - at));
      auto got = file->read_some_at(at, buf.data(), want, &read_err);
      if (!got || *got == 0) break;
      counter.feed(std::string_view(buf.data(), *got));
      at += *got;
    }
    return counter.position();
  };
  return run(
      ChunkIterator(&src), ChunkIterator(nullptr), file_label, position_of,
      [&] { return src.first_nul; }, &src.error, &src.too_large);
}

}  // namespace medq
