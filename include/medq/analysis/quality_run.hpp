// `medq quality` end to end as a library call: every directory validated first (one with errors
// is not evaluated), then the forward passes of the quality stage. Kept here, above check/, so
// that quality/ itself never depends on the checks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medq/check/validate.hpp"
#include "medq/model/model_dir.hpp"
#include "medq/quality/quality.hpp"

namespace medq {

/// The text a run from text (not token ids) encoded, and the tokenizer that encoded it.
struct QualityText {
  std::string source;  ///< the file as given, or kBundledEvalTextName
  bool bundled = false;
  std::string sha256;  ///< of the text's bytes
  uint64_t bytes = 0;
  std::string tokenizer_file;         ///< the reference's tokenizer.json / tokenizer.model
  std::string tokenizer_fingerprint;  ///< Tokenizer::fingerprint()
  std::string tokenizer;              ///< Tokenizer::describe()
};

struct QualityRun {
  /// Every directory (reference first, then the variants) and its validation error count.
  std::vector<std::pair<std::string, size_t>> validation_errors;
  std::string reference;                   ///< the reference's label (its directory as given)
  std::vector<std::string> variants;       ///< the variants' labels (their directories as given)
  std::string reference_path;              ///< the reference's directory, as passed
  std::vector<std::string> variant_paths;  ///< the variants' directories, as passed
  QualityOutcome outcome;                  ///< empty when a directory has errors
  std::optional<QualityText> text;         ///< set by run_quality_text once the text is encoded

  bool all_valid() const;
};

/// What a quality measurement runs on: token ids taken as given, or a text encoded with the
/// reference's tokenizer. A view: what it names must outlive the call.
struct QualityInput {
  std::span<const uint32_t> tokens;      ///< used when `text` is not set
  std::optional<std::string_view> text;  ///< UTF-8, encoded as tokenizer(text) does
  std::string source;                    ///< names the text in the report
  bool bundled = false;                  ///< the text is bundled_eval_text()
};

/// One directory of a measurement, validated without errors.
struct QualitySubject {
  std::string label;             ///< for reports and messages
  const Validation* validation;  ///< outlives the call
};

struct QualityMeasurement {
  QualityOutcome outcome;
  std::optional<QualityText> text;  ///< set when the input was a text
};

/// The measurement of `run_quality` / `run_quality_text` on directories already validated
/// (without errors: the caller leaves out the invalid ones): the text, if any, encoded with the
/// reference's tokenizer (every variant's must have the same fingerprint), then the forward
/// passes of the reference and of each variant. A usage problem (text not UTF-8, a tokenizer
/// that cannot be loaded or differs) is outcome.error kUsage, naming the directory.
QualityMeasurement measure_quality(const QualitySubject& reference,
                                   std::span<const QualitySubject> variants,
                                   const QualityInput& input, const QualityOptions& options);

/// `labels`, when given, name the reference and then each variant in the report and messages
/// (variant_labels); else they are named by their directories as given.
QualityRun run_quality(const std::string& reference, const std::vector<std::string>& variants,
                       std::span<const uint32_t> tokens, const QualityOptions& options,
                       const ScanOptions& scan = {}, const std::vector<std::string>& labels = {});

/// `medq quality --text FILE` (or the bundled text): every directory validated, then `text`
/// encoded with the reference's tokenizer as tokenizer(text) does (BOS / EOS as its template
/// adds them) and measured as run_quality does. Every variant's tokenizer must be the
/// reference's (the same fingerprint): KLD needs the same vocabulary. Text that is not UTF-8,
/// a tokenizer that cannot be loaded or differs: outcome.error kUsage, naming the directory.
/// `source` names the text in the report; `bundled` says it is the bundled one.
QualityRun run_quality_text(const std::string& reference, const std::vector<std::string>& variants,
                            std::string_view text, const std::string& source, bool bundled,
                            const QualityOptions& options, const ScanOptions& scan = {},
                            const std::vector<std::string>& labels = {});

}  // namespace medq
