#include "medq/io/same_bytes.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "medq/io/local_storage.hpp"

namespace medq {

std::optional<bool> same_bytes(std::string_view bytes, const std::filesystem::path& path,
                               std::string* err) {
  auto f = open_local_file(path, err);
  if (!f) return std::nullopt;
  return same_bytes(bytes, *f, err);
}

std::optional<bool> same_bytes(std::string_view bytes, const ByteSource& src, std::string* err) {
  const ByteSource* f = &src;
  if (f->size() != bytes.size()) return false;
  constexpr size_t kChunk = size_t{1} << 20;
  std::vector<char> chunk(std::min<size_t>(kChunk, bytes.size()));
  for (size_t at = 0; at < bytes.size();) {
    const size_t n = std::min(kChunk, bytes.size() - at);
    // A file that shrank since it was opened reads short: an error, not a difference.
    if (!f->read_at(at, chunk.data(), n, err)) return std::nullopt;
    if (std::memcmp(chunk.data(), bytes.data() + at, n) != 0) return false;
    at += n;
  }
  return true;
}

}  // namespace medq
