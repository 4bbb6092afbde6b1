// A file system identity (st_dev, st_ino): the same pair means the same file wherever it is
// reached from, through a link or after a rename.
#pragma once

#include <cstdint>

namespace medq {

struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId&) const = default;
};

}  // namespace medq
