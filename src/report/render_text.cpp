// Text renderings, for a terminal.
#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/report/findings_view.hpp"
#include "medq/report/remote_read_view.hpp"
#include "medq/report/render.hpp"
#include "medq/report/table.hpp"

namespace medq {
namespace {

std::string metadata_line(const std::optional<std::map<std::string, std::string>>& m) {
  if (!m) return "none";
  if (m->empty()) return "{}";
  std::string s;
  for (const auto& [k, v] : *m) {
    s += (s.empty() ? "" : ", ") + display_text(k) + "=" + display_text(v);
  }
  return s;
}

}  // namespace

std::string render_text(const InspectReport& r) {
  std::string out = fmt::format("medq inspect {}\n", r.target);
  if (r.cache) out += cache_source_line(*r.cache) + "\n";
  out += fmt::format("{}, {}, {} of tensor data, layout: {}\n", count_noun(r.files.size(), "file"),
                     count_noun(r.tensor_count, "tensor"), byte_size(r.tensor_bytes), r.layout);
  if (r.remote) out += remote_read_line(*r.remote) + "\n";
  for (const auto& f : r.files) {
    out += "\n";
    if (!f.valid) {
      out += fmt::format("{}  {} bytes  INVALID (see findings)\n", f.name, group_digits(f.size));
      continue;
    }
    out += fmt::format("{}  {} bytes, header {} bytes, {}, metadata: {}\n", f.name,
                       group_digits(f.size), group_digits(f.header_bytes.value_or(0)),
                       count_noun(f.tensors.size(), "tensor"), metadata_line(f.metadata));
    Table t{{"tensor", "dtype", "shape", "bytes", "offset"}, {false, false, false, true, true}, {}};
    for (const auto& x : f.tensors) {
      t.rows.push_back({display_text(x.name), std::string(dtype_name(x.dtype)),
                        shape_to_string(x.shape), group_digits(x.bytes), group_digits(x.offset)});
    }
    out += table_to_text(t);
  }
  if (!r.by_dtype.empty()) {
    out += "\nTotals by dtype\n";
    Table t{{"dtype", "tensors", "bytes"}, {false, true, true}, {}};
    for (const auto& d : r.by_dtype) {
      t.rows.push_back(
          {std::string(dtype_name(d.dtype)), group_digits(d.tensors), group_digits(d.bytes)});
    }
    out += table_to_text(t);
  }
  out += "\n";
  if (r.findings.empty()) {
    out += "Findings: none\n";
  } else {
    out += fmt::format("Findings: {}, {}, {} info\n",
                       count_noun(count_severity(r.findings, Severity::kError), "error"),
                       count_noun(count_severity(r.findings, Severity::kWarning), "warning"),
                       count_severity(r.findings, Severity::kInfo));
    out += findings_to_text(r.findings);
  }
  out += fmt::format("Result: {}\n", r.valid() ? "PASS" : "FAIL");
  return out;
}

std::string render_text(const ValidateReport& r) {
  std::string out = fmt::format("medq validate {}{}{}\n", r.target, r.strict ? " --strict" : "",
                                r.deep ? " --deep" : "");
  if (r.cache) out += cache_source_line(*r.cache) + "\n";
  out += fmt::format(
      "model: {}, layout: {}, quantization: {}, {} in {} ({} of tensor data), "
      "directory {}\n",
      r.model_type.empty() ? "unknown" : r.model_type, r.layout, r.quantization,
      count_noun(r.tensor_count, "tensor"), count_noun(r.weight_files, "weight file"),
      human_bytes(r.tensor_bytes), human_bytes(r.directory_bytes));
  if (r.remote) out += remote_read_line(*r.remote) + "\n";
  if (r.deep) {
    out += fmt::format("deep scan: checked {}, read {} of their data\n",
                       count_noun(r.deep_tensors, "tensor"), human_bytes(r.deep_bytes_read));
  }
  out += fmt::format("Result: {} ({}, {}, {} info)\n", r.passed() ? "PASS" : "FAIL",
                     count_noun(r.errors(), "error"), count_noun(r.warnings(), "warning"),
                     count_severity(r.findings, Severity::kInfo));
  if (!r.findings.empty()) out += "\n" + findings_to_text(r.findings);
  return out;
}

namespace {

// The headline and notes wrapped to `width`, the tables as wide as they are.
std::string sections_text(const std::string& title, const RichText& headline,
                          const std::vector<ReportSection>& sections, size_t width) {
  std::string out = title + "\n" + wrap_text(to_plain(headline), width, "");
  for (const auto& s : sections) {
    out += "\n" + s.title + "\n";
    for (const auto& n : s.notes_before) out += wrap_text(to_plain(n), width, "  ");
    if (!s.table.rows.empty()) out += table_to_text(flatten(s.table, false));
    for (const auto& n : s.notes_after) out += wrap_text(to_plain(n), width, "  ");
  }
  return out;
}

}  // namespace

std::string render_text(const CompareReport& r, size_t width) {
  return sections_text(to_plain(report_title("medq compare", r.model_name)), r.headline,
                       shown_sections(r.sections, r.selection), width);
}

std::string render_text(const FidelityReport& r, size_t width) {
  return sections_text(to_plain(report_title("medq fidelity", r.model_name)), r.headline,
                       r.sections, width);
}

std::string render_text(const QualityReport& r, size_t width) {
  return sections_text(to_plain(report_title("medq quality", r.model_name)), r.headline, r.sections,
                       width);
}

}  // namespace medq
