#include "medq/formats/file_cache.hpp"

#include <exception>
#include <string>
#include <system_error>
#include <utility>

#include "medq/io/local_storage.hpp"
#include "medq/io/same_bytes.hpp"
#include "medq/io/sha256.hpp"

namespace medq {

std::shared_ptr<const void> FileCache::read(
    const Storage& storage, std::string_view name, const std::string& key,
    const std::function<Loaded(Opened)>& load,
    const std::function<std::shared_ptr<const void>(const PaddedBuffer&)>& parse) {
  Opened opened = open_entry(storage, name);
  if (!opened.source) {  // unreadable: the loader says why
    Loaded l = load(std::move(opened));
    return l.bytes ? parse(*l.bytes) : l.failed;
  }
  const uint64_t size = opened.source->size();
  const std::string where = storage.locate(name);

  // Compare with each earlier content of the same size (and key); the first file with new
  // content registers it and reads it. (A file rewritten during the run is compared or parsed
  // as read at that moment; medq does not guard against a folder changing during the run
  // beyond reporting reads that come up short.)
  std::promise<std::shared_ptr<const PaddedBuffer>> bytes;
  std::promise<std::shared_ptr<const void>> result;
  std::promise<std::string> digest;
  size_t compared = 0;
  for (;;) {
    std::vector<Read> unseen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<Read>& same_size = reads_[key][size];
      if (compared == same_size.size()) {
        same_size.push_back(
            {bytes.get_future().share(), result.get_future().share(), digest.get_future().share()});
        break;
      }
      unseen.assign(same_size.begin() + static_cast<std::ptrdiff_t>(compared), same_size.end());
      compared = same_size.size();
    }
    for (const Read& r : unseen) {
      std::shared_ptr<const PaddedBuffer> known;
      try {
        known = r.bytes.get();  // waits for its load
      } catch (...) {
        continue;  // that file's own failure (reported to its reader), not this file's
      }
      std::string err;
      if (!known || same_bytes({known->data(), known->size()}, *opened.source, &err) !=
                        std::optional<bool>(true)) {
        continue;
      }
      std::string d = r.digest.get();
      {
        std::lock_guard<std::mutex> lock(mu_);
        digests_[where] = d;
      }
      return r.result.get();
    }
  }

  // New content: loaded and parsed here, hashed from memory on another thread meanwhile. Every
  // promise is kept, so that nobody waits for ever (a failure reaches the waiters as well).
  Loaded loaded;
  try {
    loaded = load(std::move(opened));
  } catch (...) {
    bytes.set_exception(std::current_exception());
    result.set_exception(std::current_exception());
    digest.set_exception(std::current_exception());
    throw;
  }
  bytes.set_value(loaded.bytes);
  if (!loaded.bytes) {  // not loaded (it changed since its size was taken): reported, not shared
    result.set_value(loaded.failed);
    digest.set_value("");
    return loaded.failed;
  }
  const PaddedBuffer& b = *loaded.bytes;
  const auto hash = [&] {
    try {
      std::string d = sha256_bytes({b.data(), b.size()});
      digest.set_value(d);
      return d;
    } catch (...) {
      digest.set_exception(std::current_exception());
      throw;
    }
  };
  // A large file is hashed on a thread of its own; a small one here, after the parse.
  std::future<std::string> hashing;
  try {
    hashing = std::async(b.size() >= (size_t{1} << 20) ? std::launch::async : std::launch::deferred,
                         hash);
  } catch (const std::system_error&) {
    hashing = std::async(std::launch::deferred, hash);  // no thread to be had
  }
  std::shared_ptr<const void> parsed;
  try {
    parsed = parse(b);
  } catch (...) {
    result.set_exception(std::current_exception());
    if (hashing.valid()) hashing.wait();  // it uses `b`; its own failure is the waiters' concern
    throw;
  }
  result.set_value(parsed);
  std::string d = hashing.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    digests_[where] = std::move(d);
  }
  return parsed;
}

template <typename Result, typename LoadInto, typename Parse>
std::shared_ptr<const Result> FileCache::read_as(const Storage& storage, std::string_view name,
                                                 const std::string& key, LoadInto load_into,
                                                 Parse parse) {
  const auto load = [&](Opened opened) {
    Loaded l;
    auto buffer = std::make_shared<PaddedBuffer>();
    if (std::optional<Result> failed = load_into(std::move(opened), buffer.get())) {
      l.failed = std::make_shared<const Result>(std::move(*failed));
    } else {
      l.bytes = std::move(buffer);
    }
    return l;
  };
  const auto parse_shared = [&](const PaddedBuffer& b) -> std::shared_ptr<const void> {
    return std::make_shared<const Result>(parse(b));
  };
  return std::static_pointer_cast<const Result>(read(storage, name, key, load, parse_shared));
}

std::shared_ptr<const TokenizerJsonResult> FileCache::tokenizer_json(
    const std::filesystem::path& path, std::string_view file_label) {
  return tokenizer_json(LocalStorage(path.parent_path()), path.filename().string(), file_label);
}

std::shared_ptr<const TokenizerJsonResult> FileCache::tokenizer_json(const Storage& storage,
                                                                     std::string_view name,
                                                                     std::string_view file_label) {
  std::string key = "tokenizer.json";
  key += '\0';
  key += file_label;
  return read_as<TokenizerJsonResult>(
      storage, name, key,
      [&](Opened opened, PaddedBuffer* bytes) {
        return load_tokenizer_json(std::move(opened), file_label, bytes);
      },
      [&](const PaddedBuffer& b) { return parse_loaded_tokenizer_json(b, file_label); });
}

std::shared_ptr<const JsonFileResult> FileCache::json_file(const std::filesystem::path& path,
                                                           std::string_view file_label,
                                                           std::string_view area) {
  return json_file(LocalStorage(path.parent_path()), path.filename().string(), file_label, area);
}

std::shared_ptr<const JsonFileResult> FileCache::json_file(const Storage& storage,
                                                           std::string_view name,
                                                           std::string_view file_label,
                                                           std::string_view area) {
  std::string key = "json";
  key += '\0';
  key += file_label;
  key += '\0';
  key += area;
  return read_as<JsonFileResult>(
      storage, name, key,
      [&](Opened opened, PaddedBuffer* bytes) {
        return load_json_file(std::move(opened), file_label, area, kMaxSmallJsonBytes, bytes);
      },
      [&](const PaddedBuffer& b) {
        return parse_json_text({b.data(), b.size()}, file_label, area);
      });
}

std::optional<std::string> FileCache::sha256_of(const std::filesystem::path& path) const {
  return sha256_of(LocalStorage(path.parent_path()), path.filename().string());
}

std::optional<std::string> FileCache::sha256_of(const Storage& storage,
                                                std::string_view name) const {
  const std::string where = storage.locate(name);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = digests_.find(where);
  if (it == digests_.end()) return std::nullopt;
  return it->second;
}

}  // namespace medq
