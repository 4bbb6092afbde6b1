#include "medq/remote/fetch_cache.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <system_error>

#include "medq/io/sha256.hpp"

namespace medq {
namespace {

// A Hub answer is never cached past this (a tree of 200,000 entries is ~20 MB).
constexpr uint64_t kMaxTreeBytes = uint64_t{64} << 20;

}  // namespace

FetchCache::FetchCache(std::filesystem::path dir, std::string_view endpoint, std::string_view repo,
                       std::string_view commit) {
  if (dir.empty()) return;
  std::string key(endpoint);
  key += '\n';
  key += repo;
  key += '\n';
  key += commit;
  folder_ = dir / "hf" / sha256_bytes(key).substr(0, 32);
}

std::filesystem::path FetchCache::range_file(std::string_view path, uint64_t offset,
                                             uint64_t length) const {
  return folder_ / (sha256_bytes(path).substr(0, 32) + "-" + std::to_string(offset) + "-" +
                    std::to_string(length));
}

std::optional<std::string> FetchCache::read(const std::filesystem::path& file,
                                            std::optional<uint64_t> expected_size,
                                            uint64_t cap) const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > cap || (expected_size && size != *expected_size)) return std::nullopt;
  std::ifstream f(file, std::ios::binary);
  if (!f) return std::nullopt;
  std::string bytes(static_cast<size_t>(size), '\0');
  f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<uint64_t>(f.gcount()) != size) return std::nullopt;
  return bytes;
}

void FetchCache::write(const std::filesystem::path& file, std::string_view bytes) const {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return;
  static std::atomic<uint64_t> counter{0};
  const auto tmp = file.string() + ".tmp." + std::to_string(::getpid()) + "." +
                   std::to_string(counter.fetch_add(1));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

std::optional<std::string> FetchCache::get_range(std::string_view path, uint64_t offset,
                                                 uint64_t length) const {
  if (!enabled()) return std::nullopt;
  return read(range_file(path, offset, length), length, length);
}

void FetchCache::put_range(std::string_view path, uint64_t offset, std::string_view bytes) const {
  if (!enabled() || bytes.empty()) return;
  write(range_file(path, offset, bytes.size()), bytes);
}

std::optional<std::string> FetchCache::get_tree() const {
  if (!enabled()) return std::nullopt;
  return read(folder_ / "tree.json", std::nullopt, kMaxTreeBytes);
}

void FetchCache::put_tree(std::string_view json) const {
  if (!enabled() || json.size() > kMaxTreeBytes) return;
  write(folder_ / "tree.json", json);
}

}  // namespace medq
