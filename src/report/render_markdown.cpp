// Markdown renderings, for a pull-request comment or a report file.
#include <fmt/format.h>

#include "medq/report/findings_view.hpp"
#include "medq/report/render.hpp"
#include "medq/report/table.hpp"

namespace medq {

std::string render_markdown(const InspectReport& r) {
  std::string out = fmt::format("# medq inspect: `{}`\n\n", r.target);
  out += fmt::format("**{}** — {} file{}, {} tensors, {} of tensor data ({} bytes).\n",
                     r.valid() ? "Valid" : "Invalid", r.files.size(),
                     r.files.size() == 1 ? "" : "s", group_digits(r.tensor_count),
                     human_bytes(r.tensor_bytes), group_digits(r.tensor_bytes));
  for (const auto& f : r.files) {
    out += fmt::format("\n## `{}`\n\n", f.name);
    if (!f.valid) {
      out += fmt::format("{} bytes. **Invalid**: see the findings below.\n", group_digits(f.size));
      continue;
    }
    std::string meta = "none";
    if (f.metadata) {
      meta.clear();
      for (const auto& [k, v] : *f.metadata)
        meta += (meta.empty() ? "" : ", ") + ("`" + k + "` = `" + v + "`");
      if (meta.empty()) meta = "{}";
    }
    out += fmt::format("{} bytes, header {} bytes, {}. Metadata: {}.\n\n", group_digits(f.size),
                       group_digits(f.header_bytes.value_or(0)),
                       count_noun(f.tensors.size(), "tensor"), meta);
    Table t{{"tensor", "dtype", "shape", "bytes", "offset"}, {false, false, false, true, true}, {}};
    for (const auto& x : f.tensors) {
      t.rows.push_back({"`" + x.name + "`", std::string(dtype_name(x.dtype)),
                        shape_to_string(x.shape), group_digits(x.bytes), group_digits(x.offset)});
    }
    out += table_to_markdown(t);
  }
  if (!r.by_dtype.empty()) {
    out += "\n## Totals by dtype\n\n";
    Table t{{"dtype", "tensors", "bytes"}, {false, true, true}, {}};
    for (const auto& d : r.by_dtype) {
      t.rows.push_back(
          {std::string(dtype_name(d.dtype)), group_digits(d.tensors), group_digits(d.bytes)});
    }
    out += table_to_markdown(t);
  }
  out += "\n## Findings\n\n";
  out += r.findings.empty() ? "None.\n" : findings_to_markdown(r.findings);
  return out;
}

}  // namespace medq
