// Reads each distinct file once when several model folders are read together (`medq compare`:
// the 4-, 6- and 8-bit variants of one model usually share their tokenizer files byte for
// byte). A file of the same size as one read before is compared with it byte for byte (a third
// of the cost of hashing it) and, if equal, shares its result and its SHA-256 (which the
// comparison reports); each distinct content is parsed once, hashed on a second thread
// meanwhile. Gemma 3's 33 MB tokenizer.json and 1.1 MB tokenizer_config.json are parsed once for
// four variants. Findings name files by their name within the folder, so equal bytes under an equal
// name give equal findings. Thread-safe: a folder whose file is being parsed by another thread
// waits for that result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/formats/json_file.hpp"
#include "medq/formats/tokenizer_json.hpp"

namespace medq {

class FileCache {
 public:
  /// What read_tokenizer_json(path, label) would give, shared with every earlier call on a
  /// file with the same bytes and label.
  std::shared_ptr<const TokenizerJsonResult> tokenizer_json(const std::filesystem::path& path,
                                                            std::string_view file_label);

  /// What read_json_file(path, label, area) would give, shared likewise.
  std::shared_ptr<const JsonFileResult> json_file(const std::filesystem::path& path,
                                                  std::string_view file_label,
                                                  std::string_view area);

  /// The SHA-256 (hex) of the bytes read for `path`; nullopt when it was not read through the
  /// cache or could not be read.
  std::optional<std::string> sha256_of(const std::filesystem::path& path) const;

 private:
  /// Returns the result parsed before for a file with the same `key` and bytes, or calls
  /// `parse` (once per distinct content, hashing the file on a second thread meanwhile) and
  /// shares what it returns. Files over `max_bytes` or unreadable are handed to `parse`
  /// unshared (it reports them).
  std::shared_ptr<const void> read(const std::filesystem::path& path, uint64_t max_bytes,
                                   const std::string& key,
                                   const std::function<std::shared_ptr<const void>()>& parse);

  /// A distinct content, by the first file read with it.
  struct Read {
    std::filesystem::path path;
    std::shared_future<std::shared_ptr<const void>> result;
    std::shared_future<std::optional<std::string>> digest;
  };

  mutable std::mutex mu_;
  std::map<std::string, std::map<uint64_t, std::vector<Read>>> reads_;  ///< key -> size -> reads
  std::map<std::filesystem::path, std::string> digests_;                ///< path -> SHA-256
};

}  // namespace medq
