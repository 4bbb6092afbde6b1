// Where the Hub is and who asks: the settings huggingface_hub reads from the environment
// (constants.py, utils/_auth.py), read the same way. The endpoint is HF_ENDPOINT (default
// https://huggingface.co, trailing '/' dropped); the token is --token, else HF_TOKEN, else the
// file $HF_TOKEN_PATH (default $HF_HOME/token, HF_HOME defaulting to
// $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface), with spaces and line breaks trimmed.
// medq's own fetch cache lives in $XDG_CACHE_HOME/medq (default ~/.cache/medq).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "medq/remote/http_client.hpp"
#include "medq/util/environment.hpp"

namespace medq {

inline constexpr const char* kDefaultHfEndpoint = "https://huggingface.co";

/// Where the token came from, for messages (the token itself is never shown).
enum class TokenSource : uint8_t { kNone, kFlag, kEnvironment, kFile };

struct HubSettings {
  std::string endpoint = kDefaultHfEndpoint;  ///< no trailing '/'
  std::string token;                          ///< empty: none
  TokenSource token_source = TokenSource::kNone;
  std::filesystem::path token_file;  ///< where a token file was looked for
  std::filesystem::path cache_dir;   ///< medq's fetch cache; empty: no cache
  HttpLimits limits;
};

/// The settings from the environment (process_environment() in the CLI, a map in tests) and an
/// optional --token. Throws std::runtime_error when HF_ENDPOINT is not an http(s) URL.
HubSettings hub_settings_from_env(const EnvLookup& env, std::optional<std::string> token_flag);

/// A token as huggingface_hub cleans it: CR and LF removed, surrounding spaces trimmed.
std::string clean_token(std::string_view raw);

}  // namespace medq
