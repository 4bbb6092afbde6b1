// Markdown renderings, for a pull-request comment or a report file.
#include <fmt/format.h>

#include "medq/diag/quote.hpp"
#include "medq/report/findings_view.hpp"
#include "medq/report/remote_read_view.hpp"
#include "medq/report/render.hpp"
#include "medq/report/table.hpp"

namespace medq {

std::string render_markdown(const InspectReport& r) {
  std::string out = fmt::format("# medq inspect: `{}`\n\n", r.target);
  if (r.cache) out += cache_source_line(*r.cache) + ".\n\n";
  out += fmt::format("**{}** — {}, {}, {} of tensor data, layout {}.\n",
                     r.valid() ? "PASS" : "FAIL", count_noun(r.files.size(), "file"),
                     count_noun(r.tensor_count, "tensor"), byte_size(r.tensor_bytes), r.layout);
  if (r.remote) out += "\n" + remote_read_line(*r.remote) + ".\n";
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
        meta +=
            (meta.empty() ? "" : ", ") + ("`" + display_text(k) + "` = `" + display_text(v) + "`");
      if (meta.empty()) meta = "{}";
    }
    out += fmt::format("{} bytes, header {} bytes, {}. Metadata: {}.\n\n", group_digits(f.size),
                       group_digits(f.header_bytes.value_or(0)),
                       count_noun(f.tensors.size(), "tensor"), meta);
    Table t{{"tensor", "dtype", "shape", "bytes", "offset"}, {false, false, false, true, true}, {}};
    for (const auto& x : f.tensors) {
      t.rows.push_back({"`" + display_text(x.name) + "`", std::string(dtype_name(x.dtype)),
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

std::string render_markdown(const ValidateReport& r) {
  std::string out = fmt::format("# medq validate: `{}`\n\n", r.target);
  if (r.cache) out += cache_source_line(*r.cache) + ".\n\n";
  out += fmt::format(
      "**{}** — {}, {}, {} info{}{}.\n\n", r.passed() ? "PASS" : "FAIL",
      count_noun(r.errors(), "error"), count_noun(r.warnings(), "warning"),
      count_severity(r.findings, Severity::kInfo), r.strict ? " (strict: warnings fail)" : "",
      r.deep ? fmt::format(" (deep: {} checked, {} of their data read)",
                           count_noun(r.deep_tensors, "tensor"), byte_size(r.deep_bytes_read))
             : "");
  out += fmt::format(
      "Model `{}`, layout {}, quantization {}, {} in {} ({} of tensor data); "
      "directory {}.\n",
      r.model_type.empty() ? "unknown" : r.model_type, r.layout, r.quantization,
      count_noun(r.tensor_count, "tensor"), count_noun(r.weight_files, "weight file"),
      byte_size(r.tensor_bytes), byte_size(r.directory_bytes));
  if (r.remote) out += "\n" + remote_read_line(*r.remote) + ".\n";
  out += "\n## Files\n\n";
  Table t{{"file", "kind", "bytes", "errors", "warnings"}, {false, false, true, true, true}, {}};
  for (const auto& f : r.files) {
    t.rows.push_back({"`" + f.name + "`", f.kind, group_digits(f.bytes), std::to_string(f.errors),
                      std::to_string(f.warnings)});
  }
  out += table_to_markdown(t);
  out += "\n## Findings\n\n";
  out += r.findings.empty() ? "None.\n" : findings_to_markdown(r.findings);
  return out;
}

namespace {

std::string sections_markdown(const std::string& title, const RichText& headline,
                              const std::vector<ReportSection>& sections) {
  // Blocks (headings, paragraphs, tables) separated by one blank line.
  std::vector<std::string> blocks = {"# " + title, to_markdown(headline)};
  for (const auto& s : sections) {
    blocks.push_back("## " + s.title);
    for (const auto& n : s.notes_before) blocks.push_back(to_markdown(n));
    if (!s.table.rows.empty()) {
      std::string t = table_to_markdown(flatten(s.table, true));
      if (!t.empty() && t.back() == '\n') t.pop_back();
      blocks.push_back(std::move(t));
    }
    for (const auto& n : s.notes_after) blocks.push_back(to_markdown(n));
  }
  std::string out;
  for (const auto& b : blocks) out += (out.empty() ? "" : "\n\n") + b;
  return out + "\n";
}

}  // namespace

std::string render_markdown(const CompareReport& r) {
  return sections_markdown(to_markdown(report_title("medq compare", r.model_name)), r.headline,
                           shown_sections(r.sections, r.selection));
}

std::string render_markdown(const FidelityReport& r) {
  return sections_markdown(to_markdown(report_title("medq fidelity", r.model_name)), r.headline,
                           r.sections);
}

std::string render_markdown(const QualityReport& r) {
  return sections_markdown(to_markdown(report_title("medq quality", r.model_name)), r.headline,
                           r.sections);
}

}  // namespace medq
