#include "medq/formats/tokenizer_json_cache.hpp"

#include <exception>
#include <utility>

#include "medq/io/padded_buffer.hpp"
#include "medq/io/sha256.hpp"

namespace medq {

std::shared_ptr<const TokenizerJsonResult> TokenizerJsonCache::read(
    const std::filesystem::path& path, std::string_view file_label) {
  // Hash first, streaming through a small buffer: a file seen before is then neither loaded
  // whole nor parsed. (A file rewritten between the hash and the load is parsed as loaded; the
  // digest then names the earlier bytes. medq does not guard against a folder changing during
  // the run beyond reporting reads that come up short.)
  // Files that are too large or unreadable are reported by the plain reader, unhashed.
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::string err;
  std::optional<std::string> digest;
  if (!ec && size <= kMaxTokenizerJsonBytes) digest = sha256_file(path, &err);
  if (!digest) {
    return std::make_shared<const TokenizerJsonResult>(read_tokenizer_json(path, file_label));
  }
  auto key_of = [&](const std::string& d) {
    std::string key = d;
    key += '\0';
    key += file_label;
    return key;
  };

  std::promise<std::shared_ptr<const TokenizerJsonResult>> promise;
  Shared existing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    digests_[path] = *digest;
    auto it = by_content_.find(key_of(*digest));
    if (it != by_content_.end()) {
      existing = it->second;
    } else {
      by_content_.emplace(key_of(*digest), promise.get_future().share());
    }
  }
  if (existing.valid()) return existing.get();
  std::shared_ptr<const TokenizerJsonResult> parsed;
  try {
    PaddedBuffer bytes;
    if (auto failed = load_tokenizer_json(path, file_label, &bytes)) {
      parsed = std::make_shared<const TokenizerJsonResult>(std::move(*failed));
    } else {
      parsed = std::make_shared<const TokenizerJsonResult>(
          parse_loaded_tokenizer_json(bytes, file_label));
    }
  } catch (...) {
    promise.set_exception(std::current_exception());  // waiters see the same failure
    throw;
  }
  promise.set_value(parsed);
  return parsed;
}

std::optional<std::string> TokenizerJsonCache::sha256_of(const std::filesystem::path& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = digests_.find(path);
  if (it == digests_.end()) return std::nullopt;
  return it->second;
}

}  // namespace medq
