#include "medq/formats/generation_config.hpp"

#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/formats/json_file.hpp"
#include "small_json_doc.hpp"

namespace medq {

using detail::from_json_result;
using detail::kind;
using detail::require_object;
using json = nlohmann::json;

GenerationConfigResult generation_config_from_json(const nlohmann::json& doc,
                                                   std::string_view file_label) {
  GenerationConfigResult result;
  if (!require_object(doc, file_label, &result.findings)) return result;
  GenerationConfig cfg;
  cfg.file = std::string(file_label);
  auto take = [&](const char* key, std::vector<TokenIdRef>* dst) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return;
    std::string ptr = std::string("/") + key;
    auto one = [&](const json& v, const std::string& p) {
      if (v.is_number_unsigned()) {
        dst->push_back({v.get<uint64_t>(), p});
      } else {
        result.findings.push_back(json_finding(
            "tokenizer.generation_bad_id", Severity::kError, cfg.file, p,
            fmt::format("expected a token id (non-negative integer), found {}", kind(v))));
      }
    };
    if (it->is_array()) {
      for (size_t i = 0; i < it->size(); ++i) one((*it)[i], fmt::format("{}/{}", ptr, i));
    } else {
      one(*it, ptr);
    }
  };
  take("bos_token_id", &cfg.bos_token_id);
  take("eos_token_id", &cfg.eos_token_id);
  take("pad_token_id", &cfg.pad_token_id);
  result.config = std::move(cfg);
  return result;
}

GenerationConfigResult parse_generation_config(std::string_view text, std::string_view file_label) {
  return from_json_result<GenerationConfigResult>(parse_json_text(text, file_label, "config"),
                                                  file_label, generation_config_from_json);
}

GenerationConfigResult read_generation_config(const std::filesystem::path& path,
                                              std::string_view file_label) {
  return from_json_result<GenerationConfigResult>(
      read_json_file(path, file_label, "config", kMaxSmallJsonBytes), file_label,
      generation_config_from_json);
}

}  // namespace medq
