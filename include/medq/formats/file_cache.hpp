// Reads each distinct file once when several model folders are read together (`medq compare`:
// the 4-, 6- and 8-bit variants of one model usually share their tokenizer files byte for
// byte). The first file with some content is loaded, parsed, and hashed from memory on a second
// thread meanwhile; its bytes stay in memory while the cache lives. A later file of the same
// size is compared with those bytes (one read and a memcmp, a fraction of a SHA-256) and, if
// equal, shares the parse and the SHA-256 (which the comparison reports). Gemma 3's 33 MB
// tokenizer.json and 1.1 MB tokenizer_config.json are read in full four times and parsed and
// hashed once for four variants. Findings name files by their name within the folder, so equal
// bytes under an equal name give equal findings. Thread-safe: a folder whose file is being
// parsed by another thread waits for that result.
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
#include "medq/io/padded_buffer.hpp"
#include "medq/io/storage.hpp"

namespace medq {

class FileCache {
 public:
  /// What read_tokenizer_json(path, label) would give, shared with every earlier call on a
  /// file with the same bytes and label.
  std::shared_ptr<const TokenizerJsonResult> tokenizer_json(const std::filesystem::path& path,
                                                            std::string_view file_label);
  /// The same for the entry `name` of `storage`.
  std::shared_ptr<const TokenizerJsonResult> tokenizer_json(const Storage& storage,
                                                            std::string_view name,
                                                            std::string_view file_label);

  /// What read_json_file(path, label, area) would give, shared likewise.
  std::shared_ptr<const JsonFileResult> json_file(const std::filesystem::path& path,
                                                  std::string_view file_label,
                                                  std::string_view area);
  /// The same for the entry `name` of `storage`.
  std::shared_ptr<const JsonFileResult> json_file(const Storage& storage, std::string_view name,
                                                  std::string_view file_label,
                                                  std::string_view area);

  /// The SHA-256 (hex) of the bytes read for `path`; nullopt when it was not read through the
  /// cache or could not be read.
  std::optional<std::string> sha256_of(const std::filesystem::path& path) const;
  /// The same for the entry `name` of `storage`.
  std::optional<std::string> sha256_of(const Storage& storage, std::string_view name) const;

 private:
  /// A file's bytes, or what to report instead when they could not be had.
  struct Loaded {
    std::shared_ptr<const PaddedBuffer> bytes;
    std::shared_ptr<const void> failed;
  };
  /// Returns the result parsed before for a file with the same `key` and bytes, or loads and
  /// parses it (once per distinct content) and shares what `parse` returns. Files that cannot
  /// be loaded are reported by `load` and not shared.
  std::shared_ptr<const void> read(
      const Storage& storage, std::string_view name, const std::string& key,
      const std::function<Loaded(Opened)>& load,
      const std::function<std::shared_ptr<const void>(const PaddedBuffer&)>& parse);

  /// read() for one kind of file: `load_into(Opened, PaddedBuffer*)` returns the result to
  /// report when the file cannot be loaded, `parse(const PaddedBuffer&)` the result of parsing.
  template <typename Result, typename LoadInto, typename Parse>
  std::shared_ptr<const Result> read_as(const Storage& storage, std::string_view name,
                                        const std::string& key, LoadInto load_into, Parse parse);

  /// A distinct content, by the first file read with it.
  struct Read {
    std::shared_future<std::shared_ptr<const PaddedBuffer>> bytes;  ///< null: not loaded
    std::shared_future<std::shared_ptr<const void>> result;
    std::shared_future<std::string> digest;
  };

  mutable std::mutex mu_;
  std::map<std::string, std::map<uint64_t, std::vector<Read>>> reads_;  ///< key -> size -> reads
  std::map<std::string, std::string> digests_;  ///< Storage::locate() -> SHA-256
};

}  // namespace medq
