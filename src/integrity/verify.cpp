// verify_manifest: files matched by path, tensors by name (the same file first, then any file),
// and everything left over on either side reported as missing or extra.
#include "medq/integrity/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "medq/util/units.hpp"

namespace medq {

std::string_view check_status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kMoved:
      return "moved";
    case CheckStatus::kDiffers:
      return "differs";
    case CheckStatus::kMissing:
      return "missing";
    case CheckStatus::kExtra:
      return "extra";
    case CheckStatus::kUnreadable:
      return "unreadable";
  }
  return "unknown";
}

size_t VerifyReport::count(CheckStatus s) const {
  return static_cast<size_t>(
      std::count_if(files.begin(), files.end(), [s](const FileCheck& f) { return f.status == s; }));
}

size_t VerifyReport::count_tensors(CheckStatus s) const {
  return static_cast<size_t>(std::count_if(tensors.begin(), tensors.end(),
                                           [s](const TensorCheck& t) { return t.status == s; }));
}

bool VerifyReport::verified() const {
  return std::all_of(files.begin(), files.end(),
                     [](const FileCheck& f) { return f.status == CheckStatus::kOk; }) &&
         std::all_of(tensors.begin(), tensors.end(), [](const TensorCheck& t) {
           return t.status == CheckStatus::kOk || t.status == CheckStatus::kMoved;
         });
}

bool VerifyReport::incomplete() const {
  return count(CheckStatus::kUnreadable) > 0 || count_tensors(CheckStatus::kUnreadable) > 0;
}

namespace {

// Enough of a digest to tell two apart in a message; the JSON report has them in full.
std::string short_digest(const std::string& hex) { return hex.substr(0, 16) + "..."; }

std::string q(const std::string& s) { return "'" + s + "'"; }

ManifestFile without_tensors(const ManifestFile& f) {
  ManifestFile c;
  c.path = f.path;
  c.size = f.size;
  c.sha256 = f.sha256;
  return c;
}

bool same_content(const ManifestTensor& a, const ManifestTensor& b) {
  return a.dtype == b.dtype && a.shape == b.shape && a.bytes == b.bytes && a.xxh3_128 == b.xxh3_128;
}

// What differs between the recorded tensor and the one found in `file`.
std::string tensor_difference(const ManifestTensor& e, const ManifestTensor& a,
                              const std::string& file) {
  std::vector<std::string> parts;
  if (e.dtype != a.dtype) {
    parts.push_back(
        fmt::format("dtype: recorded {}, found {}", dtype_name(e.dtype), dtype_name(a.dtype)));
  }
  if (e.shape != a.shape) {
    parts.push_back(fmt::format("shape: recorded {}, found {}", shape_to_string(e.shape),
                                shape_to_string(a.shape)));
  }
  if (e.xxh3_128 != a.xxh3_128) {
    parts.push_back(
        fmt::format("data differs: the {} at offset {} of {} (XXH3-128 recorded {}, found {})",
                    count_noun(a.bytes, "byte"), group_digits(a.offset), q(file),
                    short_digest(e.xxh3_128), short_digest(a.xxh3_128)));
  }
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

// The error that explains why `path` could not be read: its own, or its directory's.
const ScanError* unreadable_cause(const std::vector<ScanError>& errors, const std::string& path) {
  for (const auto& e : errors) {
    if (e.path.empty() || e.path == path ||
        (path.size() > e.path.size() && path.compare(0, e.path.size(), e.path) == 0 &&
         path[e.path.size()] == '/')) {
      return &e;
    }
  }
  return nullptr;
}

void check_files(const Manifest& expected, const ManifestScan& actual, VerifyReport* r) {
  std::map<std::string, const ManifestFile*> exp, act;
  for (const auto& f : expected.files) exp[f.path] = &f;
  for (const auto& f : actual.manifest.files) act[f.path] = &f;
  std::set<std::string> paths;
  for (const auto& [p, f] : exp) paths.insert(p);
  for (const auto& [p, f] : act) paths.insert(p);
  for (const auto& e : actual.errors) paths.insert(e.path);

  // Content recorded under one path and found under another: a renamed file.
  auto renamed_to = [&](const ManifestFile& e) -> const ManifestFile* {
    for (const auto& [p, a] : act) {
      if (!exp.count(p) && a->size == e.size && a->sha256 == e.sha256) return a;
    }
    return nullptr;
  };
  auto renamed_from = [&](const ManifestFile& a) -> const ManifestFile* {
    for (const auto& [p, e] : exp) {
      if (!act.count(p) && e->size == a.size && e->sha256 == a.sha256) return e;
    }
    return nullptr;
  };

  for (const auto& p : paths) {
    FileCheck c;
    c.path = p;
    auto ei = exp.find(p);
    auto ai = act.find(p);
    const ManifestFile* e = ei == exp.end() ? nullptr : ei->second;
    const ManifestFile* a = ai == act.end() ? nullptr : ai->second;
    if (e) c.expected = without_tensors(*e);
    if (a) c.actual = without_tensors(*a);
    if (e && a) {
      std::vector<std::string> parts;
      if (e->size != a->size) {
        parts.push_back(fmt::format("size: recorded {} bytes, found {}", group_digits(e->size),
                                    group_digits(a->size)));
      }
      if (e->sha256 != a->sha256) {
        parts.push_back(fmt::format("SHA-256: recorded {}, found {}", short_digest(e->sha256),
                                    short_digest(a->sha256)));
      }
      c.status = parts.empty() ? CheckStatus::kOk : CheckStatus::kDiffers;
      for (const auto& part : parts) c.detail += (c.detail.empty() ? "" : "; ") + part;
    } else if (const ScanError* err = a ? nullptr : unreadable_cause(actual.errors, p)) {
      c.status = CheckStatus::kUnreadable;
      c.detail = err->path == p ? err->message
                                : fmt::format("{} {}: {}",
                                              err->path.empty() ? "the directory" : "its directory",
                                              err->path.empty() ? "" : q(err->path), err->message);
    } else if (e) {
      c.status = CheckStatus::kMissing;
      c.detail = fmt::format("recorded ({} bytes), not found", group_digits(e->size));
      if (const ManifestFile* to = renamed_to(*e)) {
        c.detail += "; the same content (size and SHA-256) is now at " + q(to->path);
      }
    } else {
      c.status = CheckStatus::kExtra;
      c.detail = fmt::format("not recorded ({} bytes)", group_digits(a->size));
      if (const ManifestFile* from = renamed_from(*a)) {
        c.detail += "; the same content as " + q(from->path) + ", which was recorded";
      }
    }
    r->files.push_back(std::move(c));
  }
}

// Long on purpose: one pass matches every recorded tensor to the one found (same file, another
// file: moved, or missing) and every found tensor back, over the same two indexes.
void check_tensors(const Manifest& expected, const ManifestScan& actual, VerifyReport* r) {
  struct Loc {
    const ManifestFile* file;
    const ManifestTensor* tensor;
  };
  std::map<std::string, const ManifestFile*> act_files;
  std::map<std::string, std::vector<Loc>> act_by_name;
  for (const auto& f : actual.manifest.files) {
    act_files[f.path] = &f;
    if (!f.tensors) continue;
    for (const auto& t : *f.tensors) act_by_name[t.name].push_back({&f, &t});
  }
  std::set<const ManifestTensor*> used;
  std::map<std::string, std::string> recorded_in;  // tensor name -> a file that recorded it

  auto find_in = [](const ManifestFile& f, const std::string& name) -> const ManifestTensor* {
    if (!f.tensors) return nullptr;
    auto it =
        std::lower_bound(f.tensors->begin(), f.tensors->end(), name,
                         [](const ManifestTensor& t, const std::string& n) { return t.name < n; });
    return it != f.tensors->end() && it->name == name ? &*it : nullptr;
  };

  // Pass 1: the tensor in the file it was recorded in.
  std::vector<Loc> unmatched;
  for (const auto& ef : expected.files) {
    if (!ef.tensors) continue;
    auto af = act_files.find(ef.path);
    for (const auto& et : *ef.tensors) {
      recorded_in.emplace(et.name, ef.path);
      const ManifestTensor* at = af == act_files.end() ? nullptr : find_in(*af->second, et.name);
      if (!at) {
        unmatched.push_back({&ef, &et});
        continue;
      }
      used.insert(at);
      TensorCheck c;
      c.name = et.name;
      c.expected_file = c.actual_file = ef.path;
      c.expected = et;
      c.actual = *at;
      c.status = same_content(et, *at) ? CheckStatus::kOk : CheckStatus::kDiffers;
      if (c.status == CheckStatus::kDiffers) c.detail = tensor_difference(et, *at, ef.path);
      r->tensors.push_back(std::move(c));
    }
  }

  // Pass 2: a tensor no longer in its file, looked for by name in every other file; a copy with
  // the recorded content is preferred.
  for (const Loc& u : unmatched) {
    const ManifestFile& ef = *u.file;
    const ManifestTensor& et = *u.tensor;
    TensorCheck c;
    c.name = et.name;
    c.expected_file = ef.path;
    c.expected = et;
    const Loc* found = nullptr;
    if (auto it = act_by_name.find(et.name); it != act_by_name.end()) {
      for (const Loc& l : it->second) {
        if (used.count(l.tensor)) continue;
        if (!found || (same_content(et, *l.tensor) && !same_content(et, *found->tensor))) {
          found = &l;
        }
      }
    }
    if (found) {
      used.insert(found->tensor);
      c.actual_file = found->file->path;
      c.actual = *found->tensor;
      if (same_content(et, *found->tensor)) {
        c.status = CheckStatus::kMoved;
        c.detail =
            "recorded in " + q(ef.path) + ", found with the same data in " + q(found->file->path);
      } else {
        c.status = CheckStatus::kDiffers;
        c.detail = "recorded in " + q(ef.path) + ", found in " + q(found->file->path) + "; " +
                   tensor_difference(et, *found->tensor, found->file->path);
      }
      r->tensors.push_back(std::move(c));
      continue;
    }
    auto af = act_files.find(ef.path);
    if (af == act_files.end()) {
      if (const ScanError* err = unreadable_cause(actual.errors, ef.path)) {
        c.status = CheckStatus::kUnreadable;
        c.detail = q(ef.path) + " could not be read: " + err->message;
      } else {
        c.status = CheckStatus::kMissing;
        c.detail = q(ef.path) + " is missing and no other file holds the tensor";
      }
      r->tensors.push_back(std::move(c));
      continue;
    }
    const ManifestFile& a = *af->second;
    c.status = CheckStatus::kMissing;
    auto past = std::find_if(a.tensors_past_end.begin(), a.tensors_past_end.end(),
                             [&](const ManifestTensor& t) { return t.name == et.name; });
    if (past != a.tensors_past_end.end()) {
      c.detail = fmt::format("{} is cut short at {}; the tensor's data was the {} at offset {}",
                             q(a.path), count_noun(a.size, "byte"), count_noun(past->bytes, "byte"),
                             group_digits(past->offset));
    } else if (!a.header_error.empty() && !a.tensors) {
      c.detail = q(a.path) + " is no longer a readable safetensors file (" + a.header_error + ")";
    } else {
      c.detail = "no longer in " + q(a.path) + " nor in any other file";
    }
    r->tensors.push_back(std::move(c));
  }

  // Pass 3: everything found and not matched.
  for (const auto& af : actual.manifest.files) {
    if (!af.tensors) continue;
    for (const auto& at : *af.tensors) {
      if (used.count(&at)) continue;
      TensorCheck c;
      c.name = at.name;
      c.actual_file = af.path;
      c.actual = at;
      c.status = CheckStatus::kExtra;
      auto rec = recorded_in.find(at.name);
      c.detail = rec == recorded_in.end()
                     ? "not recorded"
                     : "another copy of a tensor recorded in " + q(rec->second);
      r->tensors.push_back(std::move(c));
    }
  }

  std::sort(r->tensors.begin(), r->tensors.end(), [](const TensorCheck& a, const TensorCheck& b) {
    const std::string& fa = a.expected_file.empty() ? a.actual_file : a.expected_file;
    const std::string& fb = b.expected_file.empty() ? b.actual_file : b.expected_file;
    return fa != fb ? fa < fb : a.name < b.name;
  });
}

}  // namespace

VerifyReport verify_manifest(const Manifest& expected, const ManifestScan& actual) {
  VerifyReport r;
  r.manifest_files = expected.files.size();
  r.manifest_tensors = expected.tensor_count();
  r.skipped = actual.skipped;
  r.notes = actual.notes;
  check_files(expected, actual, &r);
  check_tensors(expected, actual, &r);
  return r;
}

namespace {

// Written out, so every code can be found in the source (scripts/check_finding_docs.sh).
const char* file_code(CheckStatus s) {
  switch (s) {
    case CheckStatus::kDiffers:
      return "integrity.file_differs";
    case CheckStatus::kMissing:
      return "integrity.file_missing";
    case CheckStatus::kExtra:
      return "integrity.file_extra";
    case CheckStatus::kUnreadable:
      return "integrity.file_unreadable";
    default:
      return "integrity.file_differs";  // files are never "moved" or "ok" here
  }
}

const char* tensor_code(CheckStatus s) {
  switch (s) {
    case CheckStatus::kMoved:
      return "integrity.tensor_moved";
    case CheckStatus::kDiffers:
      return "integrity.tensor_differs";
    case CheckStatus::kMissing:
      return "integrity.tensor_missing";
    case CheckStatus::kExtra:
      return "integrity.tensor_extra";
    case CheckStatus::kUnreadable:
      return "integrity.tensor_unreadable";
    default:
      return "integrity.tensor_differs";
  }
}

}  // namespace

Findings verify_findings(const VerifyReport& r) {
  Findings out;
  for (const auto& f : r.files) {
    if (f.status == CheckStatus::kOk) continue;
    Finding x;
    x.code = file_code(f.status);
    x.severity = Severity::kError;
    x.where.file = f.path;
    x.message = f.detail;
    out.push_back(std::move(x));
  }
  for (const auto& t : r.tensors) {
    if (t.status == CheckStatus::kOk) continue;
    Finding x;
    x.code = tensor_code(t.status);
    x.severity = t.status == CheckStatus::kMoved ? Severity::kInfo : Severity::kError;
    x.where.file = t.actual_file.empty() ? t.expected_file : t.actual_file;
    x.where.tensor = t.name;
    if (t.actual) x.where.byte_offset = t.actual->offset;
    x.message = t.detail;
    out.push_back(std::move(x));
  }
  for (const auto& s : r.skipped) {
    Finding x;
    x.code = "integrity.not_checked";
    x.severity = Severity::kInfo;
    x.where.file = s.path;
    x.message = s.why;
    out.push_back(std::move(x));
  }
  sort_findings(out);
  return out;
}

}  // namespace medq
