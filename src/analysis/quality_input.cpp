#include "medq/analysis/quality_input.hpp"

#include "medq/io/local_storage.hpp"
#include "medq/quality/eval_text.hpp"
#include "medq/quality/token_ids.hpp"
#include "medq/util/units.hpp"

namespace medq {

QualityInput QualityInputData::view() const {
  QualityInput in;
  if (from_text) {
    in.text = bundled ? bundled_eval_text() : std::string_view(text);
  } else {
    in.tokens = tokens;
  }
  in.source = source;
  in.bundled = bundled;
  return in;
}

std::optional<QualityInputData> load_quality_input(const std::string& tokens_file,
                                                   const std::string& text_file, std::string* err) {
  QualityInputData d;
  if (tokens_file.empty() && text_file.empty()) {
    d.from_text = true;
    d.bundled = true;
    d.source = std::string(kBundledEvalTextName);
    return d;
  }
  const bool tokens = !tokens_file.empty();
  const std::string& path = tokens ? tokens_file : text_file;
  SmallFile f = read_small_file(path, kMaxEvalTextBytes);
  if (f.too_large) {
    *err = "'" + path + "' (" + human_bytes(*f.too_large) +
           ") is larger than 64 MiB, the limit for " + (tokens ? "--tokens" : "--text") +
           "; give a shorter evaluation " + (tokens ? "input" : "text");
    return std::nullopt;
  }
  if (!f.text) {
    *err = "cannot read '" + path + "': " + f.error;
    return std::nullopt;
  }
  d.source = path;
  if (tokens) {
    auto ids = parse_token_ids(*f.text, path, err);
    if (!ids) return std::nullopt;
    d.tokens = std::move(*ids);
    return d;
  }
  if (f.text->empty()) {
    *err = "'" + path + "' is empty";
    return std::nullopt;
  }
  d.from_text = true;
  d.text = std::move(*f.text);
  return d;
}

}  // namespace medq
