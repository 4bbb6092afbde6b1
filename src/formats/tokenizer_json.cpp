#include "medq/formats/tokenizer_json.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "json_event_walk.hpp"
#include "medq/diag/finding_cap.hpp"
#include "medq/diag/quote.hpp"
#include "medq/formats/json_file.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/io/padded_buffer.hpp"
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

// Two quick looks at the raw bytes before any parse: where `text` first runs more than
// kMaxTokenizerJsonStringBytes without a '"' (a JSON string, or anything else, that long), and
// where its first NUL byte is. The first makes a file of one huge string cost its own size and
// nothing more; the second is a byte no JSON text may hold and that nlohmann's fallback parser
// would take for the end of input. Both with memchr/memrchr: the quote gaps are found block by
// block (within a 1 MiB block every gap is shorter than the limit, so only the gaps between a
// block's last quote and a later block's first one need measuring), and the NUL search runs
// over the whole text at memory speed: ~2 ms for the 33 MB Gemma 3 file.
struct RawScan {
  std::optional<uint64_t> overlong_at;
  size_t first_nul = std::string_view::npos;
};
RawScan scan_raw(std::string_view text) {
  static_assert(kMaxTokenizerJsonStringBytes > (size_t{1} << 20));
  constexpr size_t kBlock = size_t{1} << 20;
  constexpr uint64_t kLimit = kMaxTokenizerJsonStringBytes + 128;
  RawScan out;
  uint64_t after_quote = 0;  // offset just past the last quote seen
  for (size_t start = 0; start < text.size(); start += kBlock) {
    const size_t len = std::min(kBlock, text.size() - start);
    const char* block = text.data() + start;
    const void* first = std::memchr(block, '"', len);
    if (first == nullptr) {
      if (start + len - after_quote > kLimit) {
        out.overlong_at = after_quote;
        return out;
      }
      continue;
    }
    const uint64_t at = static_cast<uint64_t>(static_cast<const char*>(first) - text.data());
    if (at - after_quote > kLimit) {
      out.overlong_at = after_quote;
      return out;
    }
    const void* last = ::memrchr(block, '"', len);
    after_quote = static_cast<uint64_t>(static_cast<const char*>(last) - text.data()) + 1;
  }
  if (text.size() - after_quote > kLimit) {
    out.overlong_at = after_quote;
    return out;
  }
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    out.first_nul = static_cast<size_t>(static_cast<const char*>(nul) - text.data());
  }
  return out;
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
  const RawScan raw = scan_raw(text);
  if (auto at = raw.overlong_at) {
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
      sax.finish_vocab_in_background();
      detail::JsonEventWalk<detail::TokenizerJsonSax> walk(&doc, &sax);
      ok = walk.run();
      fast_error = walk.error();
      sax.wait_vocab();
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
      facts.error_byte = std::min(raw.first_nul, text.size());
      facts.error_message = simdjson::error_message(fast_error);
    }
  }
  // JSON allows no raw NUL byte, but nlohmann stops at one as if the input ended, so a file with
  // garbage after a NUL would pass. Only a NUL before the point where parsing stopped counts.
  if (const size_t nul = raw.first_nul;
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
                                                       PaddedBuffer* bytes) {
  return load_tokenizer_json(open_local(path), file_label, bytes);
}

std::optional<TokenizerJsonResult> load_tokenizer_json(Opened opened, std::string_view file_label,
                                                       PaddedBuffer* bytes) {
  static_assert(PaddedBuffer::kPadding >= simdjson::SIMDJSON_PADDING);
  *bytes = PaddedBuffer();
  std::string err;
  const ByteSource* file = opened.source.get();
  TokenizerJsonResult r;
  if (!file) {
    r.findings.push_back(file_finding("tokenizer.unreadable", file_label, opened.error));
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
  PaddedBuffer loaded(static_cast<size_t>(file->size()));
  if (!file->read_at(0, loaded.data(), loaded.size(), &err)) {
    r.findings.push_back(file_finding("tokenizer.unreadable", file_label, err));
    return r;
  }
  *bytes = std::move(loaded);
  return std::nullopt;
}

TokenizerJsonResult parse_loaded_tokenizer_json(const PaddedBuffer& bytes,
                                                std::string_view file_label) {
  return run(simdjson::padded_string_view(bytes.data(), bytes.size(),
                                          bytes.size() + PaddedBuffer::kPadding),
             file_label);
}

TokenizerJsonResult read_tokenizer_json(const std::filesystem::path& path,
                                        std::string_view file_label) {
  return read_tokenizer_json(open_local(path), file_label);
}

TokenizerJsonResult read_tokenizer_json(Opened file, std::string_view file_label) {
  PaddedBuffer bytes;
  if (auto failed = load_tokenizer_json(std::move(file), file_label, &bytes)) {
    return std::move(*failed);
  }
  return parse_loaded_tokenizer_json(bytes, file_label);
}

}  // namespace medq
