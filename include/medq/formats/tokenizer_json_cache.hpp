// Parses each distinct tokenizer.json once when several model folders are read together
// (`medq compare`: the 4-, 6- and 8-bit variants of one model usually share the same file).
// Files are told apart by the SHA-256 of their bytes, which the comparison also reports, so the
// file is read and hashed once per folder and parsed once per distinct content. Thread-safe: a
// folder whose tokenizer is being parsed by another thread waits for that result.
#pragma once

#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "medq/formats/tokenizer_json.hpp"

namespace medq {

class TokenizerJsonCache {
 public:
  /// The result read_tokenizer_json(path, label) would give, shared with every earlier call on
  /// a file with the same bytes and label.
  std::shared_ptr<const TokenizerJsonResult> read(const std::filesystem::path& path,
                                                  std::string_view file_label);

  /// The SHA-256 (hex) of the bytes read() parsed for `path`; nullopt when read() was not
  /// called for it or could not read it.
  std::optional<std::string> sha256_of(const std::filesystem::path& path) const;

 private:
  using Shared = std::shared_future<std::shared_ptr<const TokenizerJsonResult>>;
  mutable std::mutex mu_;
  std::map<std::string, Shared> by_content_;              ///< SHA-256 + '\0' + label
  std::map<std::filesystem::path, std::string> digests_;  ///< path -> SHA-256
};

}  // namespace medq
