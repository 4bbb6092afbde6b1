// Where the Hugging Face cache lives, found as huggingface_hub finds it (constants.py):
// $HF_HUB_CACHE, else the legacy $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; a leading "~" is the home
// folder ($HOME). The environment is read through a lookup the caller gives, so tests set it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "medq/util/environment.hpp"

namespace medq {

struct HubCacheDir {
  std::filesystem::path path;  ///< empty when it cannot be known (HOME unset, say)
  /// Where it came from, for messages: "$HF_HUB_CACHE", "$HF_HOME/hub", "~/.cache/huggingface/hub"
  /// (the default), ...
  std::string source;
};

/// The cache folder. An empty variable counts as unset.
HubCacheDir hub_cache_dir(const EnvLookup& env);

}  // namespace medq
