#include "medq/io/folder_storage.hpp"

#include "medq/io/hf_snapshot.hpp"
#include "medq/io/local_storage.hpp"

namespace medq {

std::shared_ptr<const Storage> folder_storage(const std::filesystem::path& dir) {
  if (std::optional<HfSnapshot> snap = find_hf_snapshot(dir)) {
    return std::make_shared<HfSnapshotStorage>(std::move(*snap));
  }
  return std::make_shared<LocalStorage>(dir);
}

}  // namespace medq
