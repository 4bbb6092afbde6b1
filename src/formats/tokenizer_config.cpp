#include "medq/formats/tokenizer_config.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/diag/quote.hpp"
#include "medq/formats/json_file.hpp"

namespace medq {
namespace {

using json = nlohmann::json;

Finding make(std::string code, Severity sev, std::string_view file, std::string pointer,
             std::string message) {
  return json_finding(std::move(code), sev, file, std::move(pointer), std::move(message));
}

std::string kind(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_null()) return "null";
  return v.is_object() ? "an object" : "a list";
}

bool require_object(const json& doc, std::string_view file, Findings* out) {
  if (doc.is_object()) return true;
  out->push_back(make("tokenizer.not_object", Severity::kError, file, "",
                      "expected a JSON object at the top level, found " + kind(doc)));
  return false;
}

// Roles whose value must be a token; other "*_token" keys are only read when they hold one.
bool is_known_role(std::string_view key) {
  static constexpr std::string_view kRoles[] = {
      "bos_token", "eos_token",  "unk_token", "pad_token", "sep_token",
      "cls_token", "mask_token", "boi_token", "eoi_token", "image_token"};
  return std::find(std::begin(kRoles), std::end(kRoles), key) != std::end(kRoles);
}

// A token value is a string or an AddedToken object {"content": ...}. Returns false (and
// reports when `strict`) for anything else; null means "no token" and is accepted silently.
void add_token(TokenizerConfig& cfg, const json& v, std::string role, const std::string& pointer,
               bool strict, Findings* out) {
  if (v.is_string()) {
    cfg.special_tokens.push_back({std::move(role), v.get<std::string>(), pointer});
  } else if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    cfg.special_tokens.push_back(
        {std::move(role), v["content"].get<std::string>(), pointer + "/content"});
  } else if (strict && !v.is_null()) {
    out->push_back(
        make("tokenizer.config_bad_special_token", Severity::kError, cfg.file, pointer,
             fmt::format("expected a token string or {{\"content\": ...}}, found {}", kind(v))));
  }
}

}  // namespace

const SpecialTokenRef* TokenizerConfig::role(std::string_view r) const {
  for (const SpecialTokenRef& t : special_tokens) {
    if (t.role == r) return &t;
  }
  return nullptr;
}

TokenizerConfigResult tokenizer_config_from_json(const nlohmann::json& doc,
                                                 std::string_view file_label) {
  TokenizerConfigResult result;
  if (!require_object(doc, file_label, &result.findings)) return result;
  TokenizerConfig cfg;
  cfg.file = std::string(file_label);
  Findings* out = &result.findings;
  for (const auto& [key, v] : doc.items()) {
    std::string ptr = "/" + json_pointer_escape(key);
    if (key == "additional_special_tokens") {
      if (!v.is_array()) {
        if (!v.is_null()) {
          out->push_back(make("tokenizer.config_bad_special_token", Severity::kError, cfg.file, ptr,
                              "expected a list of tokens, found " + kind(v)));
        }
        continue;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        add_token(cfg, v[i], key, fmt::format("{}/{}", ptr, i), true, out);
      }
    } else if (key == "extra_special_tokens") {
      // Newer transformers write a role -> token map here (Gemma 3: boi/eoi/image tokens);
      // older files a plain list.
      if (v.is_object()) {
        for (const auto& [role, tokv] : v.items()) {
          add_token(cfg, tokv, key + "/" + role, ptr + "/" + json_pointer_escape(role), true, out);
        }
      } else if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i) {
          add_token(cfg, v[i], key, fmt::format("{}/{}", ptr, i), true, out);
        }
      }
    } else if (key == "added_tokens_decoder") {
      if (!v.is_object()) continue;
      for (const auto& [id_text, entry] : v.items()) {
        std::string eptr = ptr + "/" + json_pointer_escape(id_text);
        uint32_t id = 0;
        auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc() || end != id_text.data() + id_text.size() || id_text.empty()) {
          out->push_back(make("tokenizer.config_bad_added_token", Severity::kError, cfg.file, eptr,
                              fmt::format("expected a decimal token id (0..4294967295) as key, "
                                          "found {}",
                                          quote_text(id_text))));
          continue;
        }
        if (!entry.is_object() || !entry.contains("content") || !entry["content"].is_string()) {
          out->push_back(
              make("tokenizer.config_bad_added_token", Severity::kError, cfg.file, eptr,
                   "expected an object with a \"content\" string, found " + kind(entry)));
          continue;
        }
        bool special = entry.contains("special") && entry["special"].is_boolean() &&
                       entry["special"].get<bool>();
        cfg.added_tokens_decoder.push_back(
            {id, entry["content"].get<std::string>(), special, eptr});
      }
    } else if (key.size() > 6 && key.ends_with("_token") && !key.starts_with("add_")) {
      add_token(cfg, v, key, ptr, is_known_role(key), out);
    }
  }
  std::stable_sort(cfg.added_tokens_decoder.begin(), cfg.added_tokens_decoder.end(),
                   [](const AddedTokenDecl& a, const AddedTokenDecl& b) { return a.id < b.id; });
  result.config = std::move(cfg);
  return result;
}

namespace {

// The DOM readers after main's JSON reader, keeping its findings (syntax, size, duplicate keys).
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

}  // namespace

TokenizerConfigResult parse_tokenizer_config(std::string_view text, std::string_view file_label) {
  return from_json_result<TokenizerConfigResult>(parse_json_text(text, file_label, "tokenizer"),
                                                 file_label, tokenizer_config_from_json);
}

TokenizerConfigResult read_tokenizer_config(const std::filesystem::path& path,
                                            std::string_view file_label) {
  return from_json_result<TokenizerConfigResult>(
      read_json_file(path, file_label, "tokenizer", kMaxTokenizerConfigBytes), file_label,
      tokenizer_config_from_json);
}

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
        result.findings.push_back(
            make("tokenizer.generation_bad_id", Severity::kError, cfg.file, p,
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
      read_json_file(path, file_label, "config", kMaxTokenizerConfigBytes), file_label,
      generation_config_from_json);
}

}  // namespace medq
