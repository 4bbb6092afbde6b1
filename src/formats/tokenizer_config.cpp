#include "medq/formats/tokenizer_config.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/check/display.hpp"
#include "medq/formats/tokenizer_json.hpp"
#include "medq/io/file.hpp"
#include "medq/io/text_position.hpp"

namespace medq {
namespace {

using json = nlohmann::json;

Finding make(std::string code, Severity sev, std::string_view file, std::string pointer,
             std::string message) {
  Finding f;
  f.code = std::move(code);
  f.severity = sev;
  f.where.file = std::string(file);
  f.where.json_pointer = std::move(pointer);
  f.message = std::move(message);
  return f;
}

std::string kind(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_null()) return "null";
  return v.is_object() ? "an object" : "a list";
}

// Parses a JSON object, turning syntax errors into "tokenizer.json_syntax" with line/column.
std::optional<json> parse_object(std::string_view text, std::string_view file, Findings* out) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    uint64_t byte = e.byte > 0 ? e.byte - 1 : 0;
    TextPosition p = text_position(text, byte);
    std::string what = e.what();
    if (auto c = what.find("column "); c != std::string::npos) {
      if (auto colon = what.find(": ", c); colon != std::string::npos)
        what = what.substr(colon + 2);
    }
    if (what.size() > 200) what.resize(200);
    for (char& ch : what) {
      if (static_cast<unsigned char>(ch) < 0x20 || (ch & 0x80)) ch = '?';
    }
    Finding f = make("tokenizer.json_syntax", Severity::kError, file, "", "invalid JSON: " + what);
    f.where.byte_offset = byte;
    f.where.line = p.line;
    f.where.column = p.column;
    out->push_back(std::move(f));
    return std::nullopt;
  }
  if (!doc.is_object()) {
    out->push_back(make("tokenizer.not_object", Severity::kError, file, "",
                        "expected a JSON object at the top level, found " + kind(doc)));
    return std::nullopt;
  }
  return doc;
}

std::optional<std::string> read_text(const std::filesystem::path& path, std::string_view file,
                                     Findings* out) {
  std::string err;
  auto f = File::open(path, &err);
  if (!f) {
    out->push_back(make("tokenizer.io_error", Severity::kError, file, "", err));
    return std::nullopt;
  }
  if (f->size() > kMaxTokenizerConfigBytes) {
    out->push_back(make(
        "tokenizer.file_too_large", Severity::kError, file, "",
        fmt::format("expected at most {} bytes, found {}", kMaxTokenizerConfigBytes, f->size())));
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(f->size()), '\0');
  if (!f->read_at(0, text.data(), text.size(), &err)) {
    out->push_back(make("tokenizer.io_error", Severity::kError, file, "", err));
    return std::nullopt;
  }
  return text;
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

TokenizerConfigResult parse_tokenizer_config(std::string_view text, std::string_view file_label) {
  TokenizerConfigResult result;
  auto doc = parse_object(text, file_label, &result.findings);
  if (!doc) return result;
  TokenizerConfig cfg;
  cfg.file = std::string(file_label);
  Findings* out = &result.findings;
  for (const auto& [key, v] : doc->items()) {
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

TokenizerConfigResult read_tokenizer_config(const std::filesystem::path& path,
                                            std::string_view file_label) {
  TokenizerConfigResult result;
  auto text = read_text(path, file_label, &result.findings);
  if (!text) return result;
  return parse_tokenizer_config(*text, file_label);
}

GenerationConfigResult parse_generation_config(std::string_view text, std::string_view file_label) {
  GenerationConfigResult result;
  auto doc = parse_object(text, file_label, &result.findings);
  if (!doc) return result;
  GenerationConfig cfg;
  cfg.file = std::string(file_label);
  auto take = [&](const char* key, std::vector<TokenIdRef>* dst) {
    auto it = doc->find(key);
    if (it == doc->end() || it->is_null()) return;
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

GenerationConfigResult read_generation_config(const std::filesystem::path& path,
                                              std::string_view file_label) {
  GenerationConfigResult result;
  auto text = read_text(path, file_label, &result.findings);
  if (!text) return result;
  return parse_generation_config(*text, file_label);
}

}  // namespace medq
