#include "medq/util/environment.hpp"

#include <cstdlib>

namespace medq {

EnvLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

}  // namespace medq
