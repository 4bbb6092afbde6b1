// The one failure of the tokenize stage: a tokenizer that cannot be loaded exactly (a component
// medq does not implement, a malformed file) or a text that cannot be encoded (not UTF-8). The
// message names the component or the byte; the CLI prints it and exits with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace medq {

class TokenizeError : public std::runtime_error {
 public:
  explicit TokenizeError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace medq
