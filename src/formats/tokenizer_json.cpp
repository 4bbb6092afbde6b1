#include "medq/formats/tokenizer_json.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "json_event_walk.hpp"
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

// Where `text` first runs more than kMaxTokenizerJsonStringBytes without a '"': a JSON string
// (or anything else) that long, if there is one. Checked before any parse, so a file made of
// one huge string costs its own size and nothing more. Eight bytes at a time, 64 to a block, so
// the 33 MB Gemma 3 file takes a few milliseconds.
std::optional<uint64_t> overlong_run(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  constexpr uint64_t kQuotes = kOnes * static_cast<unsigned char>('"');
  const auto has_quote = [&](uint64_t w) {
    const uint64_t x = w ^ kQuotes;  // a zero byte where there was a quote
    return ((x - kOnes) & ~x & kHigh) != 0;
  };
  uint64_t last_quote = 0;  // offset just past the last block holding a quote
  size_t i = 0;
  for (; i + 64 <= text.size(); i += 64) {
    uint64_t words[8];
    std::memcpy(words, text.data() + i, sizeof words);
    bool any = false;
    for (uint64_t w : words) any |= has_quote(w);
    if (any) {
      last_quote = i + 64;
    } else if (i + 64 - last_quote > kMaxTokenizerJsonStringBytes + 128) {
      return i;
    }
  }
  for (; i < text.size(); ++i) {
    if (text[i] == '"') last_quote = i + 1;
  }
  if (text.size() - last_quote > kMaxTokenizerJsonStringBytes + 128) return last_quote;
  return std::nullopt;
}

// Parses `json` (padded for simdjson) and turns parser-level failures into findings. Valid
// input, the usual case, takes the fast path: simdjson's On-Demand parser, every value walked
// into the handler. Input the fast path rejects (or whose top level is not an object) is parsed
// again from the start by nlohmann's SAX parser into a fresh handler, which reports the line
// and column of the problem exactly as before.
TokenizerJsonResult run(simdjson::padded_string_view json, std::string_view file_label) {
  TokenizerJsonResult result;
  TokenizerJson tok;
  tok.file = std::string(file_label);
  detail::TokenizerJsonFacts facts;
  CappedFindings findings(&result.findings);
  const std::string_view text(json.data(), json.size());
  if (auto at = overlong_run(text)) {
    findings.add(file_finding(
        "tokenizer.too_large", file_label,
        fmt::format("a JSON string longer than {} bytes (no '\"' in the {} bytes from byte {}); "
                    "medq reads no further",
                    kMaxTokenizerJsonStringBytes, kMaxTokenizerJsonStringBytes, *at)));
    findings.flush(tok.file);
    return result;
  }

  bool ok = false;
  simdjson::error_code fast_error = simdjson::SUCCESS;
  {
    simdjson::ondemand::parser parser(std::max<size_t>(json.size(), 64));
    simdjson::ondemand::document doc;
    fast_error = parser.iterate(json).get(doc);
    if (fast_error == simdjson::SUCCESS) {
      detail::TokenizerJsonSax sax(&tok, &facts, &findings);
      detail::JsonEventWalk<detail::TokenizerJsonSax> walk(&doc, &sax);
      ok = walk.run();
      fast_error = walk.error();
    }
  }
  if (fast_error != simdjson::SUCCESS) {
    result.findings.clear();
    findings = CappedFindings(&result.findings);
    tok = TokenizerJson{};
    tok.file = std::string(file_label);
    facts = {};
    detail::TokenizerJsonSax sax(&tok, &facts, &findings);
    ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                   nlohmann::json::input_format_t::json, /*strict=*/true);
    if (ok && facts.root_is_object) {  // the parsers disagree: trust the stricter one
      ok = false;
      facts.syntax_error = true;
      // nlohmann takes a NUL byte for the end of input; the check below names it.
      facts.error_byte = std::min(text.find('\0'), text.size());
      facts.error_message = simdjson::error_message(fast_error);
    }
  }
  // JSON allows no raw NUL byte, but nlohmann stops at one as if the input ended, so a file with
  // garbage after a NUL would pass. Only a NUL before the point where parsing stopped counts.
  if (auto nul = text.find('\0');
      nul != std::string_view::npos && (ok || (facts.syntax_error && nul <= facts.error_byte))) {
    ok = false;
    facts.syntax_error = true;
    facts.depth_exceeded = false;
    facts.error_byte = nul;
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
      TextPosition p = text_position(text, facts.error_byte);
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
  const simdjson::padded_string padded(text);
  return run(padded, file_label);
}

std::optional<TokenizerJsonResult> load_tokenizer_json(const std::filesystem::path& path,
                                                       std::string_view file_label,
                                                       std::string* bytes) {
  bytes->clear();
  std::string err;
  auto file = File::open(path, &err);
  TokenizerJsonResult r;
  if (!file) {
    r.findings.push_back(file_finding("tokenizer.unreadable", file_label, err));
    return r;
  }
  if (file->size() > kMaxTokenizerJsonBytes) {
    r.findings.push_back(file_finding(
        "tokenizer.too_large", file_label,
        fmt::format("expected at most {} bytes, found {}", kMaxTokenizerJsonBytes, file->size())));
    return r;
  }
  // The whole file at once (the parser indexes it in one pass): the file's size plus the
  // parser's index bound the memory (docs/security.md).
  const auto size = static_cast<size_t>(file->size());
  bytes->reserve(size + simdjson::SIMDJSON_PADDING);
  bytes->resize(size);
  if (!file->read_at(0, bytes->data(), size, &err)) {
    bytes->clear();
    r.findings.push_back(file_finding("tokenizer.unreadable", file_label, err));
    return r;
  }
  return std::nullopt;
}

TokenizerJsonResult parse_loaded_tokenizer_json(const std::string& bytes,
                                                std::string_view file_label) {
  if (bytes.capacity() < bytes.size() + simdjson::SIMDJSON_PADDING) {
    return parse_tokenizer_json(bytes, file_label);  // not from load_tokenizer_json: copy
  }
  return run(simdjson::padded_string_view(bytes.data(), bytes.size(), bytes.capacity()),
             file_label);
}

TokenizerJsonResult read_tokenizer_json(const std::filesystem::path& path,
                                        std::string_view file_label) {
  std::string bytes;
  if (auto failed = load_tokenizer_json(path, file_label, &bytes)) return std::move(*failed);
  return parse_loaded_tokenizer_json(bytes, file_label);
}

}  // namespace medq
