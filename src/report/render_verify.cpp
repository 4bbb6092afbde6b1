// `medq verify` as text, Markdown and JSON. Text and Markdown share one layout (a verdict line,
// then titled tables of what is not as recorded); JSON carries every file and every tensor that
// is not ok, with both digests in full.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "medq/report/render.hpp"
#include "medq/report/render_verify.hpp"
#include "medq/report/table.hpp"

namespace medq {
namespace {

struct Section {
  std::string title;
  Table table;
  std::vector<std::string> notes;  ///< lines under the table
};

std::string code(const std::string& s, bool md) { return md ? "`" + s + "`" : s; }

std::string display_path(const std::string& p) { return p.empty() ? "(the directory)" : p; }

// "7 ok, 1 differs, 2 extra" over the statuses that occur, in a fixed order.
std::string status_counts(size_t (VerifyReport::*count)(CheckStatus) const, const VerifyReport& r,
                          size_t recorded) {
  std::string s;
  for (CheckStatus st : {CheckStatus::kOk, CheckStatus::kMoved, CheckStatus::kDiffers,
                         CheckStatus::kMissing, CheckStatus::kExtra, CheckStatus::kUnreadable}) {
    size_t n = (r.*count)(st);
    if (n == 0) continue;
    s += (s.empty() ? "" : ", ") + group_digits(n) + " " + std::string(check_status_name(st));
  }
  return s.empty() ? (recorded == 0 ? "none" : "0 checked") : s;
}

std::string verdict(const VerifyReport& r) {
  return r.incomplete() ? "INCOMPLETE" : r.verified() ? "PASS" : "FAIL";
}

std::string result_line(const VerifyReport& r) {
  return fmt::format("{} (files: {}; tensors: {})", verdict(r),
                     status_counts(&VerifyReport::count, r, r.manifest_files),
                     status_counts(&VerifyReport::count_tensors, r, r.manifest_tensors));
}

// One sentence after the verdict that says what it means.
std::string explanation(const VerifyReport& r) {
  if (r.incomplete()) return "Some files could not be read, so they were not checked.";
  if (r.verified()) return "Every file and tensor matches the manifest.";
  const size_t moved = r.count_tensors(CheckStatus::kMoved);
  const bool tensors_ok = std::all_of(r.tensors.begin(), r.tensors.end(), [](const auto& t) {
    return t.status == CheckStatus::kOk || t.status == CheckStatus::kMoved;
  });
  if (tensors_ok && r.manifest_tensors > 0) {
    return fmt::format(
        "The files differ from the manifest, but every recorded tensor holds its recorded data{}.",
        moved ? fmt::format(" ({} in another file: re-sharded or renamed)",
                            count_noun(moved, "tensor"))
              : "");
  }
  return "The directory differs from the manifest: see below.";
}

std::vector<Section> sections(const VerifyReport& r, bool md) {
  std::vector<Section> out;

  Section files{"Files not as recorded", {{"status", "file", "detail"}, {}, {}}, {}};
  for (const auto& f : r.files) {
    if (f.status == CheckStatus::kOk) continue;
    files.table.rows.push_back(
        {std::string(check_status_name(f.status)), code(display_path(f.path), md), f.detail});
  }
  if (!files.table.rows.empty()) out.push_back(std::move(files));

  Section tensors{"Tensors not as recorded", {{"status", "file", "tensor", "detail"}, {}, {}}, {}};
  size_t problems = 0;
  std::map<std::pair<std::string, std::string>, size_t> moved;  // (from, to) -> tensors
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kOk) continue;
    if (t.status == CheckStatus::kMoved) {
      ++moved[{t.expected_file, t.actual_file}];
      continue;
    }
    if (++problems > kVerifyTensorRowLimit) continue;
    const std::string& file = t.expected_file.empty() ? t.actual_file : t.expected_file;
    tensors.table.rows.push_back(
        {std::string(check_status_name(t.status)), code(file, md), code(t.name, md), t.detail});
  }
  if (problems > kVerifyTensorRowLimit) {
    tensors.notes.push_back(fmt::format("... and {} more (--format json lists every one)",
                                        group_digits(problems - kVerifyTensorRowLimit)));
  }
  if (problems > 0) out.push_back(std::move(tensors));

  if (!moved.empty()) {
    Section m{"Tensors found in another file with their recorded data",
              {{"recorded in", "found in", "tensors"}, {false, false, true}, {}},
              {}};
    for (const auto& [k, n] : moved) {
      m.table.rows.push_back({code(k.first, md), code(k.second, md), group_digits(n)});
    }
    out.push_back(std::move(m));
  }

  if (!r.skipped.empty()) {
    Section s{"Not checked", {{"entry", "why"}, {}, {}}, {}};
    for (const auto& e : r.skipped) s.table.rows.push_back({code(e.path, md), e.why});
    out.push_back(std::move(s));
  }
  if (!r.notes.empty()) {
    Section s{"Notes", {}, r.notes};
    out.push_back(std::move(s));
  }
  return out;
}

std::string header_counts(const VerifyReport& r) {
  return fmt::format("manifest: {}, {}", count_noun(r.manifest_files, "file"),
                     count_noun(r.manifest_tensors, "tensor"));
}

}  // namespace

std::string render_text(const VerifyReport& r) {
  std::string out = fmt::format("medq verify {} --manifest {}\n", r.target, r.manifest);
  out += header_counts(r) + "\n";
  out += "Result: " + result_line(r) + "\n" + explanation(r) + "\n";
  for (const auto& s : sections(r, false)) {
    out += "\n" + s.title + "\n";
    if (!s.table.headers.empty()) out += table_to_text(s.table);
    for (const auto& n : s.notes) out += "  " + n + "\n";
  }
  return out;
}

std::string render_markdown(const VerifyReport& r) {
  std::string out =
      fmt::format("# medq verify: `{}`\n\nManifest `{}`: {}, {}.\n\n", r.target, r.manifest,
                  count_noun(r.manifest_files, "file"), count_noun(r.manifest_tensors, "tensor"));
  out += "**" + result_line(r) + "**. " + explanation(r) + "\n";
  for (const auto& s : sections(r, true)) {
    out += "\n## " + s.title + "\n\n";
    if (!s.table.headers.empty()) out += table_to_markdown(s.table);
    if (!s.notes.empty() && !s.table.headers.empty()) out += "\n";
    for (const auto& n : s.notes) out += "- " + n + "\n";
  }
  return out;
}

namespace {

using ojson = nlohmann::ordered_json;

ojson file_side(const std::optional<ManifestFile>& f) {
  if (!f) return nullptr;
  return {{"size", f->size}, {"sha256", f->sha256}};
}

ojson tensor_side(const std::optional<ManifestTensor>& t) {
  if (!t) return nullptr;
  return {{"dtype", std::string(dtype_name(t->dtype))},
          {"shape", t->shape},
          {"offset", t->offset},
          {"bytes", t->bytes},
          {"xxh3_128", t->xxh3_128}};
}

ojson or_null(const std::string& s) { return s.empty() ? ojson(nullptr) : ojson(s); }

ojson counts(size_t (VerifyReport::*count)(CheckStatus) const, const VerifyReport& r,
             size_t recorded) {
  ojson j;
  j["recorded"] = recorded;
  for (CheckStatus st : {CheckStatus::kOk, CheckStatus::kMoved, CheckStatus::kDiffers,
                         CheckStatus::kMissing, CheckStatus::kExtra, CheckStatus::kUnreadable}) {
    j[std::string(check_status_name(st))] = (r.*count)(st);
  }
  return j;
}

}  // namespace

std::string render_json(const VerifyReport& r) {
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "verify";
  j["target"] = r.target;
  j["manifest"] = r.manifest;
  j["verified"] = r.verified();
  j["complete"] = !r.incomplete();
  ojson files_counts = counts(&VerifyReport::count, r, r.manifest_files);
  files_counts.erase("moved");  // files are matched by path; only tensors move
  j["summary"] = {{"files", std::move(files_counts)},
                  {"tensors", counts(&VerifyReport::count_tensors, r, r.manifest_tensors)}};
  ojson files = ojson::array();
  for (const auto& f : r.files) {
    files.push_back({{"path", f.path},
                     {"status", std::string(check_status_name(f.status))},
                     {"recorded", file_side(f.expected)},
                     {"found", file_side(f.actual)},
                     {"detail", or_null(f.detail)}});
  }
  j["files"] = std::move(files);
  ojson tensors = ojson::array();
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kOk) continue;
    tensors.push_back({{"name", t.name},
                       {"status", std::string(check_status_name(t.status))},
                       {"recorded_file", or_null(t.expected_file)},
                       {"found_file", or_null(t.actual_file)},
                       {"recorded", tensor_side(t.expected)},
                       {"found", tensor_side(t.actual)},
                       {"detail", or_null(t.detail)}});
  }
  j["tensors"] = std::move(tensors);
  ojson skipped = ojson::array();
  for (const auto& s : r.skipped) skipped.push_back({{"path", s.path}, {"why", s.why}});
  j["not_checked"] = std::move(skipped);
  j["notes"] = r.notes;
  ojson findings = ojson::array();
  for (const auto& f : verify_findings(r)) {
    ojson x;
    x["code"] = f.code;
    x["severity"] = std::string(severity_name(f.severity));
    x["file"] = f.where.file;
    if (!f.where.tensor.empty()) x["tensor"] = f.where.tensor;
    if (f.where.byte_offset) x["byte_offset"] = *f.where.byte_offset;
    x["message"] = f.message;
    findings.push_back(std::move(x));
  }
  j["findings"] = std::move(findings);
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace medq
