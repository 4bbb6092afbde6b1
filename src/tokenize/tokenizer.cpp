#include "medq/tokenize/tokenizer.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/io/sha256.hpp"
#include "medq/tokenize/json_tokenizer.hpp"
#include "medq/tokenize/sentencepiece_tokenizer.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "medq/util/utf8.hpp"

namespace medq {

namespace {

constexpr uintmax_t kMaxConfigBytes = uintmax_t{64} << 20;

/// tokenizer_config.json's add_bos_token / add_eos_token and the bos / eos token strings.
struct SpecialConfig {
  std::optional<bool> add_bos, add_eos;
  std::optional<std::string> bos, eos;
};

std::optional<std::string> token_string(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    return v["content"].get<std::string>();
  }
  return std::nullopt;
}

SpecialConfig read_special_config(const std::filesystem::path& path) {
  SpecialConfig c;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return c;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxConfigBytes) {
    throw TokenizeError(fmt::format("{}: unreadable or larger than 64 MiB", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) throw TokenizeError(path.string() + " is not a JSON object");
  if (j.contains("add_bos_token") && j["add_bos_token"].is_boolean())
    c.add_bos = j["add_bos_token"].get<bool>();
  if (j.contains("add_eos_token") && j["add_eos_token"].is_boolean())
    c.add_eos = j["add_eos_token"].get<bool>();
  if (j.contains("bos_token")) c.bos = token_string(j["bos_token"]);
  if (j.contains("eos_token")) c.eos = token_string(j["eos_token"]);
  return c;
}

std::string file_sha(const std::filesystem::path& p) {
  std::string err;
  auto h = sha256_file(p, &err);
  if (!h) throw TokenizeError(fmt::format("cannot read {}: {}", p.string(), err));
  return *h;
}

/// What fingerprint() is for the tokenizer files `file` (the one load() uses) and `config`.
std::string fingerprint_files(const std::filesystem::path& file,
                              const std::filesystem::path& config) {
  std::error_code ec;
  std::string f = file_sha(file);
  if (std::filesystem::is_regular_file(config, ec)) f += "+" + file_sha(config);
  return f;
}

}  // namespace

struct Tokenizer::Impl {
  std::variant<std::monostate, JsonTokenizer, SentencePieceTokenizer> tok;
  std::filesystem::path file;
  std::string fingerprint;
  std::string special_note;
  std::vector<uint32_t> sp_before, sp_after;  // SentencePiece: BOS / EOS
};

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

Tokenizer Tokenizer::load(const std::filesystem::path& dir) {
  Tokenizer t;
  Impl& m = *t.impl_;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw TokenizeError(fmt::format("{} is not a folder", dir.string()));
  }
  const auto json_path = dir / "tokenizer.json";
  const auto model_path = dir / "tokenizer.model";
  const auto config_path = dir / "tokenizer_config.json";
  const SpecialConfig cfg = read_special_config(config_path);
  const auto id_of = [&](const std::optional<std::string>& s,
                         const auto& tok) -> std::optional<uint32_t> {
    if (!s) return std::nullopt;
    return tok.token_to_id(*s);
  };
  if (std::filesystem::is_regular_file(json_path, ec)) {
    m.file = json_path;
    JsonTokenizer jt = JsonTokenizer::load(json_path);
    // transformers' update_post_processor (LlamaTokenizerFast, GemmaTokenizerFast): an explicit
    // add_bos_token / add_eos_token rebuilds the template as "bos? $A eos?".
    if (cfg.add_bos || cfg.add_eos) {
      PostProcessor p;
      p.kind = "TemplateProcessing from tokenizer_config.json";
      if (cfg.add_bos.value_or(false)) {
        const auto id = id_of(cfg.bos, jt);
        if (!id)
          throw TokenizeError("tokenizer_config.json: add_bos_token without a known bos_token");
        p.before.push_back(*id);
      }
      if (cfg.add_eos.value_or(false)) {
        const auto id = id_of(cfg.eos, jt);
        if (!id)
          throw TokenizeError("tokenizer_config.json: add_eos_token without a known eos_token");
        p.after.push_back(*id);
      }
      jt.set_post_processor(std::move(p));
    }
    m.tok = std::move(jt);
  } else if (std::filesystem::is_regular_file(model_path, ec)) {
    m.file = model_path;
    SentencePieceTokenizer sp = SentencePieceTokenizer::load(model_path);
    if (cfg.add_bos.value_or(true)) {
      auto id = cfg.bos ? id_of(cfg.bos, sp) : sp.bos_id();
      if (id) m.sp_before.push_back(*id);
    }
    if (cfg.add_eos.value_or(false)) {
      auto id = cfg.eos ? id_of(cfg.eos, sp) : sp.eos_id();
      if (id) m.sp_after.push_back(*id);
    }
    m.tok = std::move(sp);
  } else {
    throw TokenizeError(
        fmt::format("{} has neither tokenizer.json nor tokenizer.model", dir.string()));
  }
  m.fingerprint = fingerprint_files(m.file, config_path);
  return t;
}

std::string Tokenizer::fingerprint_of(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw TokenizeError(fmt::format("{} is not a folder", dir.string()));
  }
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    if (std::filesystem::is_regular_file(dir / name, ec))
      return fingerprint_files(dir / name, dir / "tokenizer_config.json");
  }
  throw TokenizeError(
      fmt::format("{} has neither tokenizer.json nor tokenizer.model", dir.string()));
}

std::vector<uint32_t> Tokenizer::encode(std::string_view text, bool add_special) const {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  if (const auto bad = first_invalid_utf8({bytes, text.size()})) {
    throw TokenizeError(fmt::format("the text is not UTF-8 (byte {})", *bad));
  }
  if (const auto* jt = std::get_if<JsonTokenizer>(&impl_->tok))
    return jt->encode(text, add_special);
  const auto& sp = std::get<SentencePieceTokenizer>(impl_->tok);
  std::vector<uint32_t> ids = sp.encode(text);
  if (!add_special) return ids;
  std::vector<uint32_t> out = impl_->sp_before;
  out.insert(out.end(), ids.begin(), ids.end());
  out.insert(out.end(), impl_->sp_after.begin(), impl_->sp_after.end());
  return out;
}

std::string Tokenizer::token(uint32_t id) const {
  if (const auto* jt = std::get_if<JsonTokenizer>(&impl_->tok)) {
    return std::string(jt->id_to_token(id).value_or(""));
  }
  return std::get<SentencePieceTokenizer>(impl_->tok).id_to_token(id).value_or("");
}

std::string Tokenizer::decode_piece(uint32_t id) const {
  if (const auto* jt = std::get_if<JsonTokenizer>(&impl_->tok)) return jt->decode_piece(id);
  return std::get<SentencePieceTokenizer>(impl_->tok).decode_piece(id);
}

const std::filesystem::path& Tokenizer::file() const { return impl_->file; }
const std::string& Tokenizer::fingerprint() const { return impl_->fingerprint; }

std::string Tokenizer::describe() const {
  const auto ids = [&](const std::vector<uint32_t>& v) {
    std::string s;
    for (const uint32_t id : v) s += (s.empty() ? "" : " ") + token(id);
    return s.empty() ? std::string("nothing") : s;
  };
  if (const auto* jt = std::get_if<JsonTokenizer>(&impl_->tok)) {
    const PostProcessor& p = jt->post_processor();
    return fmt::format("tokenizer.json: {}; adds {} before, {} after", jt->describe(),
                       ids(p.before), ids(p.after));
  }
  const auto& sp = std::get<SentencePieceTokenizer>(impl_->tok);
  return fmt::format("tokenizer.model (SentencePiece library), {} pieces; adds {} before, {} after",
                     sp.vocab_size(), ids(impl_->sp_before), ids(impl_->sp_after));
}

}  // namespace medq
