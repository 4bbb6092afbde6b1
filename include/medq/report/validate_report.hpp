// What `medq validate` reports: the verdict, the files of the directory with what each is and
// what it takes, and every finding. Plain data; the renderers lay it out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "medq/check/validate.hpp"
#include "medq/diag/finding.hpp"
#include "medq/remote/remote_read.hpp"
#include "medq/report/cache_source.hpp"

namespace medq {

struct ValidatedFile {
  std::string name;
  std::string kind;  ///< entry_kind_name(): "weights", "config", "partial download", ...
  uint64_t bytes = 0;
  size_t errors = 0;
  size_t warnings = 0;
};

struct ValidateReport {
  std::string target;                ///< the directory as given
  std::optional<CacheSource> cache;  ///< set for a Hugging Face cache snapshot
  bool strict = false;
  bool deep = false;             ///< tensor data was scanned (--deep)
  uint64_t deep_tensors = 0;     ///< with `deep`: tensors the scan checked
  uint64_t deep_bytes_read = 0;  ///< with `deep`: bytes it read
  std::string model_type;        ///< from config.json; empty when unknown
  std::string quantization;      ///< one-line summary, e.g. "affine 4-bit, group 64"; "none"
  std::string layout;            ///< layout_kind_name(): "mlx", "transformers", "unknown"
  std::string layout_evidence;   ///< what the layout detection rests on
  uint64_t tensor_count = 0;
  uint64_t tensor_bytes = 0;
  uint64_t weight_files = 0;
  uint64_t directory_bytes = 0;
  std::vector<ValidatedFile> files;  ///< sorted by name
  Findings findings;                 ///< sorted
  /// When the model is a remote repository (hf://): what was read to validate it.
  std::optional<RemoteRead> remote;

  size_t errors() const { return count_severity(findings, Severity::kError); }
  size_t warnings() const { return count_severity(findings, Severity::kWarning); }
  /// No errors, and under --strict no warnings either.
  bool passed() const { return errors() == 0 && (!strict || warnings() == 0); }
};

/// Lays out a validation: per-file counts, sizes, the model summary.
ValidateReport build_validate_report(const Validation& v, std::string target, bool strict,
                                     bool deep = false);

}  // namespace medq
