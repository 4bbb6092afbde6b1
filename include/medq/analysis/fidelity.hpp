// How far a variant's weights depart from a reference variant's: every tensor present in both
// with the same logical shape is decoded (dequantized where packed) and compared element by
// element, streamed in row blocks. Per tensor: relative RMS error ||w - w'|| / ||w||, cosine
// similarity, max absolute error and SNR in dB; summaries per variant and per model part.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "medq/analysis/variant.hpp"
#include "medq/check/validate.hpp"

namespace medq {

/// Raw sums over a set of elements, from which every metric follows.
struct ErrorSums {
  double ref2 = 0;  ///< sum of w^2 (reference)
  double var2 = 0;  ///< sum of w'^2 (variant)
  double dot = 0;   ///< sum of w * w'
  double err2 = 0;  ///< sum of (w - w')^2
  double max_abs = 0;
  uint64_t count = 0;
  uint64_t non_finite = 0;  ///< elements where either side is NaN/Inf (left out of the sums)

  void add(const ErrorSums& o);
  /// ||w - w'|| / ||w||; nullopt when the reference is all zero.
  std::optional<double> rel_rms() const;
  /// nullopt when either side is all zero.
  std::optional<double> cosine() const;
  /// 10 log10(sum w^2 / sum (w - w')^2); nullopt when the two are identical (infinite SNR).
  std::optional<double> snr_db() const;
};

struct TensorFidelity {
  std::string name;
  ModelPart part = ModelPart::kLanguageModel;
  uint64_t params = 0;
  std::string reference_storage;  ///< "BF16", "affine 8-bit g64", ...
  std::string variant_storage;
  ErrorSums sums;
};

struct FidelitySummary {
  uint64_t tensors = 0;
  uint64_t params = 0;
  /// Parameter-weighted means of the per-tensor relative RMS error and cosine similarity.
  std::optional<double> mean_rel_rms;
  std::optional<double> mean_cosine;
  ErrorSums pooled;  ///< all elements together (pooled SNR, max absolute error)
};

struct VariantFidelity {
  std::string label;
  std::string reference;
  FidelitySummary overall;
  std::map<ModelPart, FidelitySummary> parts;
  std::vector<TensorFidelity> tensors;  ///< sorted by name
  /// Tensors that could not be compared, with the reason (absent in one, shapes differ, ...).
  std::vector<std::pair<std::string, std::string>> skipped;
  std::vector<std::string> read_errors;  ///< "<tensor>: <message>"
};

struct FidelityOptions {
  unsigned threads = 0;  ///< 0 = one per core
  std::function<void(uint64_t done, uint64_t total)> progress;
};

/// Compares `variant` against `reference` (both validated directories).
VariantFidelity measure_fidelity(const Validation& reference, const Validation& variant,
                                 std::string reference_label, std::string variant_label,
                                 const FidelityOptions& options = {});

}  // namespace medq
