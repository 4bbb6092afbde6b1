#include "medq/io/same_bytes.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "medq/io/file.hpp"

namespace medq {

std::optional<bool> same_bytes(const std::filesystem::path& a, const std::filesystem::path& b,
                               std::string* err) {
  auto fa = File::open(a, err);
  if (!fa) return std::nullopt;
  auto fb = File::open(b, err);
  if (!fb) return std::nullopt;
  if (fa->size() != fb->size()) return false;
  constexpr size_t kChunk = size_t{1} << 20;
  std::vector<char> ba(kChunk), bb(kChunk);
  for (uint64_t at = 0; at < fa->size();) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(kChunk, fa->size() - at));
    // A file that shrank since it was opened reads short: an error, not a difference.
    if (!fa->read_at(at, ba.data(), n, err) || !fb->read_at(at, bb.data(), n, err)) {
      return std::nullopt;
    }
    if (std::memcmp(ba.data(), bb.data(), n) != 0) return false;
    at += n;
  }
  return true;
}

}  // namespace medq
