#include "medq/io/memory_storage.hpp"

#include <algorithm>
#include <cstring>

namespace medq {

namespace {

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_->size(); }
  std::optional<size_t> read_some_at(uint64_t offset, void* buf, size_t n,
                                     std::string* /*err*/) const override {
    if (offset >= bytes_->size()) return 0;
    const size_t got = static_cast<size_t>(std::min<uint64_t>(n, bytes_->size() - offset));
    if (got > 0) std::memcpy(buf, bytes_->data() + offset, got);
    return got;
  }

 private:
  std::shared_ptr<const std::string> bytes_;
};

}  // namespace

void MemoryStorage::put(std::string name, std::string bytes) {
  files_[std::move(name)] = std::make_shared<const std::string>(std::move(bytes));
}

StorageListing MemoryStorage::list(const ListOptions& opts) const {
  StorageListing out;
  for (const auto& [name, bytes] : files_) {
    if (out.entries.size() == opts.max_entries) {
      out.truncated = true;
      break;
    }
    StorageEntry e;
    e.name = name;
    e.bytes = bytes->size();
    out.entries.push_back(std::move(e));
  }
  return out;
}

std::unique_ptr<ByteSource> MemoryStorage::open(std::string_view name, std::string* err) const {
  auto it = files_.find(name);
  if (it == files_.end()) {
    *err = "cannot open: No such file or directory";
    return nullptr;
  }
  return std::make_unique<MemorySource>(it->second);
}

std::string MemoryStorage::locate(std::string_view name) const {
  std::string s = label_;
  s += ':';
  s += name;
  return s;
}

}  // namespace medq
