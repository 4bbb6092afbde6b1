#include "medq/formats/file_cache.hpp"

#include <exception>
#include <utility>

#include "medq/io/same_bytes.hpp"
#include "medq/io/sha256.hpp"

namespace medq {

namespace {

// Runs `fn`, handing its value or exception to `promise`; rethrows.
template <typename T, typename Fn>
T fulfil(std::promise<T>& promise, Fn&& fn) {
  try {
    T value = fn();
    promise.set_value(value);
    return value;
  } catch (...) {
    promise.set_exception(std::current_exception());  // waiters see the same failure
    throw;
  }
}

}  // namespace

std::shared_ptr<const void> FileCache::read(
    const std::filesystem::path& path, uint64_t max_bytes, const std::string& key,
    const std::function<std::shared_ptr<const void>()>& parse) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  // Too large or unreadable: the reader reports it; nothing to share.
  if (ec || size > max_bytes) return parse();

  // A file with the same bytes (and key) as one read before takes that one's result and digest.
  // (A file rewritten during the run is parsed or compared as read at that moment; medq does not
  // guard against a folder changing during the run beyond reporting reads that come up short.)
  std::promise<std::shared_ptr<const void>> result;
  std::promise<std::optional<std::string>> digest;
  size_t compared = 0;
  for (;;) {
    std::vector<Read> unseen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<Read>& same_size = reads_[key][size];
      if (compared == same_size.size()) {  // new content: this call parses it
        same_size.push_back({path, result.get_future().share(), digest.get_future().share()});
        break;
      }
      unseen.assign(same_size.begin() + static_cast<std::ptrdiff_t>(compared), same_size.end());
      compared = same_size.size();
    }
    for (const Read& r : unseen) {
      std::string err;
      if (same_bytes(r.path, path, &err) != std::optional<bool>(true)) continue;
      std::optional<std::string> d = r.digest.get();
      if (d) {
        std::lock_guard<std::mutex> lock(mu_);
        digests_[path] = *d;
      }
      return r.result.get();
    }
  }

  // Parsed here; a large file is hashed on another thread meanwhile.
  const auto hash = [&] {
    return fulfil(digest, [&] {
      std::string err;
      return sha256_file(path, &err);
    });
  };
  std::future<std::optional<std::string>> hashing;
  if (size >= (uint64_t{1} << 20)) {
    hashing = std::async(std::launch::async, hash);
  } else {
    hashing = std::async(std::launch::deferred, hash);  // a small one: here, after the parse
  }
  std::shared_ptr<const void> parsed = fulfil(result, parse);
  if (std::optional<std::string> d = hashing.get()) {
    std::lock_guard<std::mutex> lock(mu_);
    digests_[path] = *d;
  }
  return parsed;
}

std::shared_ptr<const TokenizerJsonResult> FileCache::tokenizer_json(
    const std::filesystem::path& path, std::string_view file_label) {
  std::string key = "tokenizer.json";
  key += '\0';
  key += file_label;
  return std::static_pointer_cast<const TokenizerJsonResult>(
      read(path, kMaxTokenizerJsonBytes, key, [&]() -> std::shared_ptr<const void> {
        return std::make_shared<const TokenizerJsonResult>(read_tokenizer_json(path, file_label));
      }));
}

std::shared_ptr<const JsonFileResult> FileCache::json_file(const std::filesystem::path& path,
                                                           std::string_view file_label,
                                                           std::string_view area) {
  std::string key = "json";
  key += '\0';
  key += file_label;
  key += '\0';
  key += area;
  return std::static_pointer_cast<const JsonFileResult>(
      read(path, kMaxSmallJsonBytes, key, [&]() -> std::shared_ptr<const void> {
        return std::make_shared<const JsonFileResult>(read_json_file(path, file_label, area));
      }));
}

std::optional<std::string> FileCache::sha256_of(const std::filesystem::path& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = digests_.find(path);
  if (it == digests_.end()) return std::nullopt;
  return it->second;
}

}  // namespace medq
