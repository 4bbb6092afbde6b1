#include "medq/tokenize/tokenizer.hpp"

#include <algorithm>
#include <optional>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "medq/io/folder_storage.hpp"
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

/// The top-level file names `storage` lists.
std::vector<std::string> file_names(const Storage& storage, bool follow_symlinks) {
  std::vector<std::string> names;
  ListOptions opts;
  opts.follow_symlinks = follow_symlinks;
  for (const StorageEntry& e : storage.list(opts).entries) {
    if (e.type == StorageEntry::Type::kFile) names.push_back(e.name);
  }
  return names;
}

bool has(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string read_whole(const Storage& storage, const std::filesystem::path& dir,
                       std::string_view name, uint64_t cap) {
  std::string err;
  uint64_t too_large = 0;
  auto bytes = read_entry(storage, name, cap, &err, &too_large);
  if (!bytes) {
    const std::string where = (dir / name).string();
    throw TokenizeError(err.empty() ? fmt::format("{}: larger than {} bytes", where, cap)
                                    : fmt::format("cannot read {}: {}", where, err));
  }
  return std::move(*bytes);
}

SpecialConfig read_special_config(const Storage& storage, const std::filesystem::path& dir,
                                  const std::vector<std::string>& names) {
  SpecialConfig c;
  if (!has(names, "tokenizer_config.json")) return c;
  const std::string text = read_whole(storage, dir, "tokenizer_config.json", kMaxConfigBytes);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    throw TokenizeError((dir / "tokenizer_config.json").string() + " is not a JSON object");
  }
  if (j.contains("add_bos_token") && j["add_bos_token"].is_boolean())
    c.add_bos = j["add_bos_token"].get<bool>();
  if (j.contains("add_eos_token") && j["add_eos_token"].is_boolean())
    c.add_eos = j["add_eos_token"].get<bool>();
  if (j.contains("bos_token")) c.bos = token_string(j["bos_token"]);
  if (j.contains("eos_token")) c.eos = token_string(j["eos_token"]);
  return c;
}

std::string entry_sha(const Storage& storage, const std::filesystem::path& dir,
                      std::string_view name) {
  std::string err;
  Opened f = open_entry(storage, name);
  std::optional<std::string> h;
  if (f.source) h = sha256_source(*f.source, &err);
  if (!h) {
    throw TokenizeError(
        fmt::format("cannot read {}: {}", (dir / name).string(), f.source ? err : f.error));
  }
  return *h;
}

/// What fingerprint() is for the tokenizer file `file` (the one load() uses) and
/// tokenizer_config.json.
std::string fingerprint_files(const Storage& storage, const std::filesystem::path& dir,
                              std::string_view file, const std::vector<std::string>& names) {
  std::string f = entry_sha(storage, dir, file);
  if (has(names, "tokenizer_config.json")) {
    f += "+" + entry_sha(storage, dir, "tokenizer_config.json");
  }
  return f;
}

/// The file load() uses: tokenizer.json, else tokenizer.model.
const char* tokenizer_file(const std::vector<std::string>& names,
                           const std::filesystem::path& dir) {
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    if (has(names, name)) return name;
  }
  throw TokenizeError(
      fmt::format("{} has neither tokenizer.json nor tokenizer.model", dir.string()));
}

void require_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw TokenizeError(fmt::format("{} is not a folder", dir.string()));
  }
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

Tokenizer Tokenizer::load(const std::filesystem::path& dir, bool follow_symlinks) {
  require_folder(dir);
  const std::shared_ptr<const Storage> storage = folder_storage(dir);
  return load(*storage, dir, file_names(*storage, follow_symlinks));
}

Tokenizer Tokenizer::load(const Storage& storage, const std::filesystem::path& dir,
                          const std::vector<std::string>& names) {
  Tokenizer t;
  Impl& m = *t.impl_;
  const std::string file = tokenizer_file(names, dir);
  const SpecialConfig cfg = read_special_config(storage, dir, names);
  const auto id_of = [&](const std::optional<std::string>& s,
                         const auto& tok) -> std::optional<uint32_t> {
    if (!s) return std::nullopt;
    return tok.token_to_id(*s);
  };
  m.file = dir / file;
  if (file == "tokenizer.json") {
    JsonTokenizer jt = JsonTokenizer::load(open_entry(storage, file), m.file.string());
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
  } else {
    SentencePieceTokenizer sp = SentencePieceTokenizer::parse(
        read_whole(storage, dir, file, SentencePieceTokenizer::kMaxModelBytes));
    if (cfg.add_bos.value_or(true)) {
      auto id = cfg.bos ? id_of(cfg.bos, sp) : sp.bos_id();
      if (id) m.sp_before.push_back(*id);
    }
    if (cfg.add_eos.value_or(false)) {
      auto id = cfg.eos ? id_of(cfg.eos, sp) : sp.eos_id();
      if (id) m.sp_after.push_back(*id);
    }
    m.tok = std::move(sp);
  }
  m.fingerprint = fingerprint_files(storage, dir, file, names);
  return t;
}

std::string Tokenizer::fingerprint_of(const std::filesystem::path& dir, bool follow_symlinks) {
  require_folder(dir);
  const std::shared_ptr<const Storage> storage = folder_storage(dir);
  return fingerprint_of(*storage, dir, file_names(*storage, follow_symlinks));
}

std::string Tokenizer::fingerprint_of(const Storage& storage, const std::filesystem::path& dir,
                                      const std::vector<std::string>& names) {
  return fingerprint_files(storage, dir, tokenizer_file(names, dir), names);
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
