// JSON renderings: stable key order (nlohmann::ordered_json keeps insertion order), no
// timestamps, integers as integers. The layout is documented in docs/json.md.
#include <nlohmann/json.hpp>

#include "medq/report/render.hpp"

namespace medq {
namespace {

using ojson = nlohmann::ordered_json;

ojson finding_json(const Finding& f) {
  ojson j;
  j["code"] = f.code;
  j["severity"] = std::string(severity_name(f.severity));
  j["file"] = f.where.file;
  if (!f.where.tensor.empty()) j["tensor"] = f.where.tensor;
  if (!f.where.json_pointer.empty()) j["json_pointer"] = f.where.json_pointer;
  if (f.where.byte_offset) j["byte_offset"] = *f.where.byte_offset;
  if (f.where.line) j["line"] = *f.where.line;
  if (f.where.column) j["column"] = *f.where.column;
  j["message"] = f.message;
  return j;
}

ojson findings_json(const Findings& fs) {
  ojson a = ojson::array();
  for (const auto& f : fs) a.push_back(finding_json(f));
  return a;
}

ojson summary_json(const Findings& fs) {
  ojson j;
  j["errors"] = count_severity(fs, Severity::kError);
  j["warnings"] = count_severity(fs, Severity::kWarning);
  j["info"] = count_severity(fs, Severity::kInfo);
  return j;
}

std::string dump(const ojson& j) {
  // Invalid UTF-8 in names cannot reach here (headers are validated), but replace rather than
  // throw if it ever does.
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_json(const InspectReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "inspect";
  j["target"] = r.target;
  j["valid"] = r.valid();
  j["summary"] = summary_json(r.findings);
  ojson files = ojson::array();
  for (const auto& f : r.files) {
    ojson jf;
    jf["name"] = f.name;
    jf["size"] = f.size;
    jf["valid"] = f.valid;
    if (f.header_bytes) jf["header_bytes"] = *f.header_bytes;
    if (f.metadata) {
      ojson m = ojson::object();
      for (const auto& [k, v] : *f.metadata) m[k] = v;
      jf["metadata"] = m;
    } else {
      jf["metadata"] = nullptr;
    }
    ojson ts = ojson::array();
    for (const auto& t : f.tensors) {
      ojson jt;
      jt["name"] = t.name;
      jt["dtype"] = std::string(dtype_name(t.dtype));
      jt["shape"] = t.shape;
      jt["bytes"] = t.bytes;
      jt["offset"] = t.offset;
      ts.push_back(std::move(jt));
    }
    jf["tensors"] = std::move(ts);
    files.push_back(std::move(jf));
  }
  j["files"] = std::move(files);
  ojson totals;
  totals["tensors"] = r.tensor_count;
  totals["tensor_bytes"] = r.tensor_bytes;
  ojson by = ojson::array();
  for (const auto& d : r.by_dtype) {
    by.push_back(
        {{"dtype", std::string(dtype_name(d.dtype))}, {"tensors", d.tensors}, {"bytes", d.bytes}});
  }
  totals["by_dtype"] = std::move(by);
  j["totals"] = std::move(totals);
  j["findings"] = findings_json(r.findings);
  return dump(j);
}

std::string render_json(const ValidateReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "validate";
  j["target"] = r.target;
  j["strict"] = r.strict;
  j["passed"] = r.passed();
  j["summary"] = summary_json(r.findings);
  ojson m;
  m["model_type"] = r.model_type.empty() ? ojson(nullptr) : ojson(r.model_type);
  m["quantization"] = r.quantization;
  m["tensors"] = r.tensor_count;
  m["tensor_bytes"] = r.tensor_bytes;
  m["weight_files"] = r.weight_files;
  m["directory_bytes"] = r.directory_bytes;
  j["model"] = std::move(m);
  ojson files = ojson::array();
  for (const auto& f : r.files) {
    files.push_back({{"name", f.name},
                     {"kind", f.kind},
                     {"bytes", f.bytes},
                     {"errors", f.errors},
                     {"warnings", f.warnings}});
  }
  j["files"] = std::move(files);
  j["findings"] = findings_json(r.findings);
  return dump(j);
}

}  // namespace medq
