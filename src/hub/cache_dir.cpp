#include "medq/hub/cache_dir.hpp"

#include <cstdlib>

namespace medq {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> nonempty(const EnvLookup& env, const char* name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// "~" and "~/x" as the home folder (os.path.expanduser without ~user); nullopt when HOME is
// needed and not set.
std::optional<fs::path> expand_user(const std::string& p, const EnvLookup& env) {
  if (p.empty() || p[0] != '~' || (p.size() > 1 && p[1] != '/')) return fs::path(p);
  std::optional<std::string> home = nonempty(env, "HOME");
  if (!home) return std::nullopt;
  return fs::path(*home + p.substr(1));
}

}  // namespace

HubCacheDir hub_cache_dir(const EnvLookup& env) {
  HubCacheDir out;
  auto from = [&](const std::string& value, std::string source, const char* suffix) {
    out.source = std::move(source);
    if (std::optional<fs::path> p = expand_user(value, env)) {
      out.path = *suffix ? *p / suffix : *p;
    }
    return out;
  };
  if (auto v = nonempty(env, "HF_HUB_CACHE")) return from(*v, "$HF_HUB_CACHE", "");
  if (auto v = nonempty(env, "HUGGINGFACE_HUB_CACHE")) {
    return from(*v, "$HUGGINGFACE_HUB_CACHE", "");
  }
  if (auto v = nonempty(env, "HF_HOME")) return from(*v, "$HF_HOME/hub", "hub");
  if (auto v = nonempty(env, "XDG_CACHE_HOME")) {
    return from(*v, "$XDG_CACHE_HOME/huggingface/hub", "huggingface/hub");
  }
  return from("~/.cache", "~/.cache/huggingface/hub", "huggingface/hub");
}

}  // namespace medq
