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

void evaluate(QualityRun& run, const Validated& v, std::span<const uint32_t> tokens,
              const QualityOptions& options) {
  std::vector<LogicalTensors> tensors;
  tensors.reserve(v.vals.size());
  for (const auto& val : v.vals)
    tensors.push_back(logical_tensors(val.checkpoint, val.quant, val.arch));
  std::vector<QualityModel> models;
  for (size_t i = 0; i < v.dirs.size(); ++i)
    models.push_back({i == 0 ? run.reference : run.variants[i - 1], v.vals[i].dir.storage,
                      v.vals[i].config(), &tensors[i]});
  run.outcome = evaluate_quality(models.front(), std::span(models).subspan(1), tokens, options);
}

void usage_error(QualityRun& run, std::string message) {
  run.outcome.error = QualityError::kUsage;
  run.outcome.message = std::move(message);
}

}  // namespace

bool QualityRun::all_valid() const {
  return std::all_of(validation_errors.begin(), validation_errors.end(),
                     [](const auto& e) { return e.second == 0; });
}

QualityRun run_quality(const std::string& reference, const std::vector<std::string>& variants,
                       std::span<const uint32_t> tokens, const QualityOptions& options,
                       const ScanOptions& scan, const std::vector<std::string>& labels) {
  QualityRun run;
  const std::optional<Validated> v = validate_all(run, reference, variants, scan, labels);
  if (v) evaluate(run, *v, tokens, options);
  return run;
}

QualityRun run_quality_text(const std::string& reference, const std::vector<std::string>& variants,
                            std::string_view text, const std::string& source, bool bundled,
                            const QualityOptions& options, const ScanOptions& scan,
                            const std::vector<std::string>& labels) {
  QualityRun run;
  if (const auto bad = first_invalid_utf8(
          std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()))) {
    name_all(run, reference, variants, labels);
    usage_error(run, source + ": not UTF-8 (invalid byte at offset " + std::to_string(*bad) + ")");
    return run;
  }
  const std::optional<Validated> v = validate_all(run, reference, variants, scan, labels);
  if (!v) return run;
  std::vector<uint32_t> tokens;
  QualityText info;
  try {
    const Tokenizer ref = Tokenizer::load(reference);
    for (size_t i = 0; i < variants.size(); ++i) {
      const std::string& d = run.variants[i];
      std::string fingerprint;
      try {
        fingerprint = Tokenizer::load(variants[i]).fingerprint();
      } catch (const TokenizeError& e) {
        usage_error(run, d + ": " + e.what());
        return run;
      }
      if (fingerprint != ref.fingerprint()) {
        usage_error(run, d + ": its tokenizer differs from the reference's (" + run.reference +
                             "): KLD needs the same vocabulary, so the variants must share the "
                             "reference's tokenizer files");
        return run;
      }
    }
    tokens = ref.encode(text, true);
    info.tokenizer_file = ref.file().string();
    info.tokenizer_fingerprint = ref.fingerprint();
    info.tokenizer = ref.describe();
  } catch (const TokenizeError& e) {
    usage_error(run, run.reference + ": " + e.what());
    return run;
  }
  info.source = source;
  info.bundled = bundled;
  info.sha256 = sha256_bytes(text);
  info.bytes = text.size();
  run.text = std::move(info);
  evaluate(run, *v, tokens, options);
  return run;
}

}  // namespace medq
