#include "medq/io/storage.hpp"

namespace medq {

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
