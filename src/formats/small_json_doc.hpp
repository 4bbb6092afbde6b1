// What the DOM readers of small JSON files (tokenizer_config.json, special_tokens_map.json,
// generation_config.json) share: naming a JSON value's kind in a message, the top-level object
// check, and running a reader after read_json_file / parse_json_text.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/formats/json_file.hpp"

namespace medq::detail {

using json = nlohmann::json;

inline std::string kind(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_null()) return "null";
  return v.is_object() ? "an object" : "a list";
}

inline bool require_object(const json& doc, std::string_view file, Findings* out) {
  if (doc.is_object()) return true;
  out->push_back(json_finding("tokenizer.not_object", Severity::kError, file, "",
                              "expected a JSON object at the top level, found " + kind(doc)));
  return false;
}

// Runs a DOM reader on what read_json_file / parse_json_text gave, keeping their findings
// (syntax, size, duplicate keys) first.
template <typename Result, typename FromJson>
Result from_json_result(JsonFileResult parsed, std::string_view file_label, FromJson from_json) {
  if (!parsed.value) {
    Result r;
    r.findings = std::move(parsed.findings);
    return r;
  }
  Result r = from_json(*parsed.value, file_label);
  r.findings.insert(r.findings.begin(), parsed.findings.begin(), parsed.findings.end());
  return r;
}

}  // namespace medq::detail
