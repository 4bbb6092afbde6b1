// Checking a model directory against a manifest: every file recorded, found or not, and every
// file found but not recorded; every tensor likewise, matched by name so that a tensor whose
// bytes now sit in another (renamed or re-sharded) file still verifies. Plain data; the
// renderers in report/verify_report.hpp lay it out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/integrity/manifest.hpp"

namespace medq {

enum class CheckStatus : uint8_t {
  kOk,          ///< as recorded
  kMoved,       ///< a tensor with the recorded name and data, in another file: counts as ok
  kDiffers,     ///< present, but size, digest, dtype or shape differ
  kMissing,     ///< recorded, not found
  kExtra,       ///< found, not recorded
  kUnreadable,  ///< the file (or its directory) could not be read: not checked
};

/// "ok", "moved", "differs", "missing", "extra", "unreadable".
std::string_view check_status_name(CheckStatus s);

struct FileCheck {
  std::string path;
  CheckStatus status = CheckStatus::kOk;
  std::optional<ManifestFile> expected;  ///< as recorded (without tensors); absent for extra
  std::optional<ManifestFile> actual;    ///< as found (without tensors); absent when missing
  std::string detail;                    ///< what differs, or empty
};

struct TensorCheck {
  std::string name;
  CheckStatus status = CheckStatus::kOk;
  std::string expected_file;  ///< where it was recorded; empty for extra
  std::string actual_file;    ///< where it was found; empty when missing
  std::optional<ManifestTensor> expected, actual;
  std::string detail;
};

struct VerifyReport {
  std::string target;    ///< the directory as given
  std::string manifest;  ///< the manifest path as given
  size_t manifest_files = 0, manifest_tensors = 0;
  std::vector<FileCheck> files;       ///< every file of the manifest or the directory, by path
  std::vector<TensorCheck> tensors;   ///< every tensor of either, by (file, name)
  std::vector<SkippedEntry> skipped;  ///< entries of the directory that were not read
  std::vector<std::string> notes;     ///< from the directory scan (headers medq rejected, ...)

  size_t count(CheckStatus s) const;          ///< files with status `s`
  size_t count_tensors(CheckStatus s) const;  ///< tensors with status `s`
  /// Every file and tensor as recorded (tensors may have moved), nothing extra or unreadable.
  bool verified() const;
  /// Something could not be read, so the check is incomplete (exit code 2).
  bool incomplete() const;
};

/// Compares what the manifest recorded with what a scan of the directory found.
VerifyReport verify_manifest(const Manifest& expected, const ManifestScan& actual);

/// The report's problems as findings (area "integrity", docs/manifest.md), sorted: one per file
/// or tensor that is not ok, moved tensors as info.
Findings verify_findings(const VerifyReport& r);

}  // namespace medq
