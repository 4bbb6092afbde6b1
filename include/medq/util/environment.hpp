// The process environment behind a lookup the caller gives, so that tests set it.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace medq {

/// The value of an environment variable, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// This process's environment (getenv).
EnvLookup process_environment();

}  // namespace medq
