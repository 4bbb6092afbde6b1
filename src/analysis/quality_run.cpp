#include "medq/analysis/quality_run.hpp"

#include <algorithm>
#include <optional>

#include "medq/check/validate.hpp"
#include "medq/io/sha256.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "medq/tokenize/tokenizer.hpp"
#include "medq/util/utf8.hpp"

namespace medq {
namespace {

struct Validated {
  std::vector<std::string> dirs;  ///< reference first
  std::vector<Validation> vals;
};

/// The reference's and the variants' names: `labels` when given, else the directories.
void name_all(QualityRun& run, const std::string& reference,
              const std::vector<std::string>& variants, const std::vector<std::string>& labels) {
  const bool given = labels.size() == variants.size() + 1;
  run.reference_path = reference;
  run.variant_paths = variants;
  run.reference = given ? labels[0] : reference;
  run.variants = given ? std::vector<std::string>(labels.begin() + 1, labels.end()) : variants;
}

/// Validates every directory into `run`; nullopt when one has errors.
std::optional<Validated> validate_all(QualityRun& run, const std::string& reference,
                                      const std::vector<std::string>& variants,
                                      const ScanOptions& scan,
                                      const std::vector<std::string>& labels) {
  name_all(run, reference, variants, labels);
  Validated v;
  v.dirs = {reference};
  v.dirs.insert(v.dirs.end(), variants.begin(), variants.end());
  for (size_t i = 0; i < v.dirs.size(); ++i) {
    v.vals.push_back(validate_model(v.dirs[i], scan));
    run.validation_errors.emplace_back(i == 0 ? run.reference : run.variants[i - 1],
                                       count_severity(v.vals.back().findings, Severity::kError));
  }
  if (!run.all_valid()) return std::nullopt;
  return v;
}

QualityOutcome usage_error(std::string message) {
  QualityOutcome o;
  o.error = QualityError::kUsage;
  o.message = std::move(message);
  return o;
}

// The folder's readable files as its scan listed them (links out only with --follow-symlinks).
std::vector<std::string> file_names(const ModelDir& dir) {
  std::vector<std::string> names;
  for (const DirEntry& e : dir.entries) {
    if (e.kind != EntryKind::kDirectory && e.kind != EntryKind::kSpecial &&
        e.kind != EntryKind::kSymlink) {
      names.push_back(e.name);
    }
  }
  return names;
}

}  // namespace

bool QualityRun::all_valid() const {
  return std::all_of(validation_errors.begin(), validation_errors.end(),
                     [](const auto& e) { return e.second == 0; });
}

QualityMeasurement measure_quality(const QualitySubject& reference,
                                   std::span<const QualitySubject> variants,
                                   const QualityInput& input, const QualityOptions& options) {
  QualityMeasurement m;
  std::vector<uint32_t> encoded;
  std::span<const uint32_t> tokens = input.tokens;
  if (input.text) {
    const std::string_view text = *input.text;
    if (const auto bad = first_invalid_utf8(
            std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()))) {
      m.outcome = usage_error(input.source + ": not UTF-8 (invalid byte at offset " +
                              std::to_string(*bad) + ")");
      return m;
    }
    QualityText info;
    const ModelDir& ref_dir = reference.validation->dir;
    try {
      const Tokenizer ref = Tokenizer::load(*ref_dir.storage, ref_dir.root, file_names(ref_dir));
      for (const QualitySubject& v : variants) {
        std::string fingerprint;
        try {
          const ModelDir& d = v.validation->dir;
          fingerprint = Tokenizer::fingerprint_of(*d.storage, d.root, file_names(d));
        } catch (const TokenizeError& e) {
          m.outcome = usage_error(v.label + ": " + e.what());
          return m;
        }
        if (fingerprint != ref.fingerprint()) {
          m.outcome = usage_error(v.label + ": its tokenizer differs from the reference's (" +
                                  reference.label +
                                  "): KLD needs the same vocabulary, so the variants must share "
                                  "the reference's tokenizer files");
          return m;
        }
      }
      encoded = ref.encode(text, true);
      info.tokenizer_file = ref.file().string();
      info.tokenizer_fingerprint = ref.fingerprint();
      info.tokenizer = ref.describe();
    } catch (const TokenizeError& e) {
      m.outcome = usage_error(reference.label + ": " + e.what());
      return m;
    }
    info.source = input.source;
    info.bundled = input.bundled;
    info.sha256 = sha256_bytes(text);
    info.bytes = text.size();
    m.text = std::move(info);
    tokens = encoded;
  }
  std::vector<const Validation*> vals = {reference.validation};
  std::vector<std::string> labels = {reference.label};
  for (const QualitySubject& v : variants) {
    vals.push_back(v.validation);
    labels.push_back(v.label);
  }
  std::vector<LogicalTensors> tensors;
  tensors.reserve(vals.size());
  for (const Validation* val : vals)
    tensors.push_back(logical_tensors(val->checkpoint, val->quant, val->arch));
  std::vector<QualityModel> models;
  for (size_t i = 0; i < vals.size(); ++i)
    models.push_back({labels[i], vals[i]->dir.storage, vals[i]->config(), &tensors[i]});
  m.outcome = evaluate_quality(models.front(), std::span(models).subspan(1), tokens, options);
  return m;
}

namespace {

QualityRun measure_all(const std::string& reference, const std::vector<std::string>& variants,
                       const QualityInput& input, const QualityOptions& options,
                       const ScanOptions& scan, const std::vector<std::string>& labels) {
  QualityRun run;
  const std::optional<Validated> v = validate_all(run, reference, variants, scan, labels);
  if (!v) return run;
  std::vector<QualitySubject> subjects;
  for (size_t i = 1; i < v->dirs.size(); ++i)
    subjects.push_back({run.variants[i - 1], &v->vals[i]});
  QualityMeasurement m = measure_quality({run.reference, &v->vals[0]}, subjects, input, options);
  run.outcome = std::move(m.outcome);
  run.text = std::move(m.text);
  return run;
}

}  // namespace

QualityRun run_quality(const std::string& reference, const std::vector<std::string>& variants,
                       std::span<const uint32_t> tokens, const QualityOptions& options,
                       const ScanOptions& scan, const std::vector<std::string>& labels) {
  QualityInput input;
  input.tokens = tokens;
  return measure_all(reference, variants, input, options, scan, labels);
}

QualityRun run_quality_text(const std::string& reference, const std::vector<std::string>& variants,
                            std::string_view text, const std::string& source, bool bundled,
                            const QualityOptions& options, const ScanOptions& scan,
                            const std::vector<std::string>& labels) {
  // A text that is not UTF-8 is refused before any directory is read.
  if (const auto bad = first_invalid_utf8(
          std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()))) {
    QualityRun run;
    name_all(run, reference, variants, labels);
    run.outcome =
        usage_error(source + ": not UTF-8 (invalid byte at offset " + std::to_string(*bad) + ")");
    return run;
  }
  QualityInput input;
  input.text = text;
  input.source = source;
  input.bundled = bundled;
  return measure_all(reference, variants, input, options, scan, labels);
}

}  // namespace medq
