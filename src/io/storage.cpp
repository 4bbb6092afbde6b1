#include "medq/io/storage.hpp"

#include <algorithm>

namespace medq {

void note_inner_file(StorageEntry& dir, std::string path, uint64_t bytes) {
  ++dir.file_count;
  auto& v = dir.largest_files;
  const auto before = [](const std::pair<std::string, uint64_t>& a,
                         const std::pair<std::string, uint64_t>& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  std::pair<std::string, uint64_t> item{std::move(path), bytes};
  if (v.size() == StorageEntry::kLargestFilesKept && !before(item, v.back())) return;
  v.insert(std::upper_bound(v.begin(), v.end(), item, before), std::move(item));
  if (v.size() > StorageEntry::kLargestFilesKept) v.pop_back();
}

Opened open_entry(const Storage& s, std::string_view name) {
  Opened o;
  o.source = s.open(name, &o.error);
  return o;
}

std::optional<std::string> read_entry(const Storage& s, std::string_view name, uint64_t cap,
                                      std::string* err, uint64_t* too_large) {
  err->clear();
  auto src = s.open(name, err);
  if (!src) return std::nullopt;
  if (src->size() > cap) {
    *too_large = src->size();
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(src->size()), '\0');
  if (!src->read_at(0, text.data(), text.size(), err)) return std::nullopt;
  return text;
}

}  // namespace medq
