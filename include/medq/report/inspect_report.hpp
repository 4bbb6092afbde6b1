// What `medq inspect` reports: every weight file's header laid out as plain data. Renderers
// (report/render_*.hpp) turn it into text, Markdown or JSON.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/formats/dtype.hpp"
#include "medq/model/architecture.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/remote/remote_read.hpp"
#include "medq/report/cache_source.hpp"

namespace medq {

struct InspectedTensor {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<uint64_t> shape;
  uint64_t bytes = 0;
  uint64_t offset = 0;  ///< absolute byte offset of the data in the file
};

struct InspectedFile {
  std::string name;
  uint64_t size = 0;
  bool valid = false;
  std::optional<uint64_t> header_bytes;  ///< N, when the file was accepted
  std::optional<std::map<std::string, std::string>> metadata;
  std::vector<InspectedTensor> tensors;  ///< in data order
};

struct DtypeTotal {
  Dtype dtype = Dtype::U8;
  uint64_t tensors = 0;
  uint64_t bytes = 0;
};

struct InspectReport {
  std::string target;                ///< the path as given
  std::optional<CacheSource> cache;  ///< set for a Hugging Face cache snapshot
  std::vector<InspectedFile> files;
  std::vector<DtypeTotal> by_dtype;  ///< in dtype enum order
  uint64_t tensor_count = 0;
  uint64_t tensor_bytes = 0;
  /// The layout of the tensor names (layout_kind_name()) and what its detection rests on. For a
  /// folder with a readable config.json the architecture's names decide; otherwise only the
  /// packing and the files' metadata.
  std::string layout = "mlx";
  std::string layout_evidence;
  Findings findings;                 ///< sorted
  std::optional<RemoteRead> remote;  ///< when read from an hf:// repository
  bool valid() const { return count_severity(findings, Severity::kError) == 0; }
};

/// `arch`: the folder's resolved config.json, when it has one (for the layout detection).
InspectReport build_inspect_report(const Checkpoint& cp, std::string target,
                                   const std::optional<Architecture>& arch = std::nullopt);

/// `medq inspect PATH` as one call: a .safetensors file, or the weight files of a directory as
/// `medq validate` sees them (symlinks out of the folder, loops and FIFOs named *.safetensors are
/// reported, not read). `target` names it in the report (default: `path`). Throws
/// std::runtime_error when `path` does not exist.
InspectReport inspect_path(const std::string& path, bool follow_symlinks = false,
                           const std::string& target = "");

/// `medq inspect` of a folder behind any storage (a remote repository): its weight files, or
/// only `file_name` when given. `target` names it in the report.
InspectReport inspect_storage(std::shared_ptr<const Storage> storage, std::string target,
                              const std::string& file_name = "");

}  // namespace medq
