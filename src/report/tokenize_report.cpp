#include "medq/report/tokenize_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/diag/quote.hpp"

namespace medq {

namespace {

std::string render_json(const TokenizeReport& r) {
  nlohmann::ordered_json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["tokenizer"] = {{"file", r.tokenizer_file}, {"description", r.tokenizer}};
  j["add_special_tokens"] = r.add_special_tokens;
  j["text_bytes"] = r.text_bytes;
  j["count"] = r.ids.size();
  j["ids"] = r.ids;
  // Pieces may hold bytes that are not UTF-8 on their own (one byte of a character); they are
  // written with U+FFFD in their place, and "decoded" likewise.
  j["pieces"] = r.pieces;
  j["decoded"] = r.decoded;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_text(const TokenizeReport& r) {
  std::string out = fmt::format("tokenizer: {}\n  {}\n", r.tokenizer_file, r.tokenizer);
  out += fmt::format("{} tokens from {} bytes of text{}\n", r.ids.size(), r.text_bytes,
                     r.add_special_tokens ? "" : " (--no-special: no tokens added)");
  for (size_t i = 0; i < r.ids.size(); ++i) {
    const std::string piece = display_text(i < r.pieces.size() ? r.pieces[i] : "", 60);
    const std::string dec = quote_text(i < r.decoded.size() ? r.decoded[i] : "", 60);
    out += fmt::format("{:>8}  {:<24}  {}\n", r.ids[i], piece, dec);
  }
  return out;
}

}  // namespace

std::string render(const TokenizeReport& r, OutputFormat f) {
  return f == OutputFormat::kJson ? render_json(r) : render_text(r);
}

}  // namespace medq
