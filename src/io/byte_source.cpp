#include "medq/io/byte_source.hpp"

namespace medq {

bool ByteSource::read_at(uint64_t offset, void* buf, size_t n, std::string* err) const {
  auto got = read_some_at(offset, buf, n, err);
  if (!got) return false;
  if (*got != n) {
    *err = "unexpected end of file: wanted " + std::to_string(n) + " bytes at offset " +
           std::to_string(offset) + ", got " + std::to_string(*got);
    return false;
  }
  return true;
}

std::string changed_since_header_message(uint64_t then, uint64_t now) {
  return "the file changed while medq was reading it: " + std::to_string(then) +
         " bytes when its header was read, " + std::to_string(now) + " now";
}

}  // namespace medq
