#include "medq/remote/hub_settings.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace medq {

std::string clean_token(std::string_view raw) {
  std::string s;
  for (char c : raw) {
    if (c != '\r' && c != '\n') s += c;
  }
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

namespace {

// A token goes into a header line: one with a control byte could add headers of its own.
void check_token(const HubSettings& s) {
  for (char c : s.token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      throw std::runtime_error("the Hugging Face token (" +
                               std::string(s.token_source == TokenSource::kFlag ? "--token"
                                           : s.token_source == TokenSource::kEnvironment
                                               ? "HF_TOKEN"
                                               : s.token_file.string()) +
                               ") holds a control character");
    }
  }
}

HubSettings settings_from_env(const EnvLookup& env, std::optional<std::string> token_flag);

}  // namespace

HubSettings hub_settings_from_env(const EnvLookup& env, std::optional<std::string> token_flag) {
  HubSettings s = settings_from_env(env, std::move(token_flag));
  check_token(s);
  return s;
}

namespace {

HubSettings settings_from_env(const EnvLookup& env, std::optional<std::string> token_flag) {
  namespace fs = std::filesystem;
  HubSettings s;
  auto nonempty = [&](const char* name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && !v->empty()) return v;
    return std::nullopt;
  };
  if (auto e = nonempty("HF_ENDPOINT")) {
    std::string ep = *e;
    while (!ep.empty() && ep.back() == '/') ep.pop_back();
    if (!url_origin(ep)) {
      throw std::runtime_error("HF_ENDPOINT '" + *e + "' is not an http:// or https:// URL");
    }
    s.endpoint = ep;
  }
  const auto home = nonempty("HOME");
  const fs::path xdg_cache = nonempty("XDG_CACHE_HOME")
                                 ? fs::path(*nonempty("XDG_CACHE_HOME"))
                                 : (home ? fs::path(*home) / ".cache" : fs::path());
  if (!xdg_cache.empty()) s.cache_dir = xdg_cache / "medq";
  const fs::path hf_home = nonempty("HF_HOME")
                               ? fs::path(*nonempty("HF_HOME"))
                               : (xdg_cache.empty() ? fs::path() : xdg_cache / "huggingface");
  s.token_file = nonempty("HF_TOKEN_PATH") ? fs::path(*nonempty("HF_TOKEN_PATH"))
                                           : (hf_home.empty() ? fs::path() : hf_home / "token");
  if (token_flag) {
    s.token = clean_token(*token_flag);
    if (!s.token.empty()) s.token_source = TokenSource::kFlag;
    return s;
  }
  if (auto t = env("HF_TOKEN")) {
    s.token = clean_token(*t);
    if (!s.token.empty()) {
      s.token_source = TokenSource::kEnvironment;
      return s;
    }
  }
  if (!s.token_file.empty()) {
    std::ifstream f(s.token_file, std::ios::binary);
    if (f) {
      std::string raw(4096, '\0');  // a token is short; a huge file is not read whole
      f.read(raw.data(), static_cast<std::streamsize>(raw.size()));
      raw.resize(static_cast<size_t>(f.gcount()));
      s.token = clean_token(raw);
      if (!s.token.empty()) s.token_source = TokenSource::kFile;
    }
  }
  return s;
}

}  // namespace

}  // namespace medq
