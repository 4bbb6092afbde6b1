#include "medq/report/inspect_report.hpp"

#include <array>

#include "medq/io/storage.hpp"
#include "medq/model/checkpoint_layout.hpp"

namespace medq {

InspectReport build_inspect_report(const Checkpoint& cp, std::string target,
                                   const std::optional<Architecture>& arch) {
  InspectReport r;
  r.target = std::move(target);
  const CheckpointLayout layout = detect_layout(cp, arch);
  r.layout = std::string(layout_kind_name(layout.kind));
  r.layout_evidence = layout.evidence;
  std::array<DtypeTotal, 32> totals{};
  for (const auto& wf : cp.files) {
    InspectedFile f;
    f.name = wf.name;
    f.valid = wf.header.ok();
    if (wf.header.header) {
      const auto& h = *wf.header.header;
      f.size = h.file_size;
      f.header_bytes = h.header_len;
      f.metadata = h.metadata;
      for (const auto& t : h.tensors) {
        f.tensors.push_back({t.name, t.dtype, t.shape, t.nbytes(), h.absolute_offset(t)});
        auto& tot = totals[static_cast<size_t>(t.dtype)];
        tot.dtype = t.dtype;
        ++tot.tensors;
        tot.bytes += t.nbytes();
        ++r.tensor_count;
        r.tensor_bytes += t.nbytes();
      }
    } else {
      std::string err;
      if (auto file = cp.storage ? cp.storage->open(wf.name, &err) : nullptr) f.size = file->size();
    }
    r.files.push_back(std::move(f));
  }
  for (const auto& t : totals) {
    if (t.tensors) r.by_dtype.push_back(t);
  }
  r.findings = cp.findings;
  sort_findings(r.findings);
  return r;
}

}  // namespace medq
