// N variants of one model side by side: each measured (analyze_variant) and validated, ordered
// by precision, set against a baseline (by default the most precise), with the differences in
// architecture, tensor set and tokenizer/generation files spelled out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "medq/analysis/fidelity.hpp"
#include "medq/analysis/memory.hpp"
#include "medq/analysis/quality_run.hpp"
#include "medq/analysis/variant.hpp"
#include "medq/diag/finding.hpp"

namespace medq {

class FileCache;

struct CompareOptions {
  /// Label (as given) of the baseline variant; nullopt = the most precise.
  std::optional<std::string> baseline;
  uint64_t context = 8192;  ///< tokens, for the KV-cache estimate
  std::optional<MemoryBudget> memory_budget;
  /// Worker threads for validating variants and reading data (0 = one per core).
  unsigned threads = 0;
  /// Also read the weights and measure each variant's fidelity against the baseline.
  bool fidelity = false;
  /// Follow symlinks out of each model folder (--follow-symlinks; ScanOptions).
  bool follow_symlinks = false;
  std::function<void(uint64_t done, uint64_t total)> progress;  ///< for --fidelity
  /// Also run the forward passes (--quality): every valid variant's output distribution against
  /// the baseline's, on this input (which must outlive the call).
  std::optional<QualityInput> quality;
  QualityOptions quality_options;  ///< chunking, threads and progress of the quality run
};

/// A difference from the baseline.
struct Delta {
  int64_t value = 0;
  std::optional<double> percent;  ///< nullopt when the baseline's value is 0
};

struct CompareVariant {
  VariantStats stats;
  MemoryEstimate memory;
  Delta weight_bytes;  ///< vs baseline
  Delta directory_bytes;
  Delta params;
  /// Against the baseline, with --fidelity (not set for the baseline itself).
  std::optional<VariantFidelity> fidelity;
  /// Against the baseline, with --quality: set for every variant measured (not the baseline, not
  /// a variant with validation errors).
  std::optional<VariantQuality> quality;
};

/// The quality measurement of a comparison (--quality): what was run, or why nothing was.
struct CompareQuality {
  /// The run's facts (tokens, chunks, scored positions, the baseline's perplexity); its
  /// `variants` are moved to each CompareVariant::quality. nullopt when nothing was measured.
  std::optional<QualityResult> result;
  std::optional<QualityText> text;         ///< the text and tokenizer, when the input was a text
  std::optional<std::string> tokens_file;  ///< the token-id file, when the input was token ids
  std::string not_measured;                ///< why there are no numbers at all ("" when measured)
  /// Variants with validation errors, left out (labels, most precise first).
  std::vector<std::string> not_evaluated;
};

/// One resolved config value across the variants ("" where unknown).
struct ArchRow {
  std::string field;  ///< e.g. "text.hidden_size"
  std::vector<std::string> values;
  bool differs = false;
};

/// Capped lists: `total` counts every case, `items` holds the first kMaxDiffItems by name.
inline constexpr size_t kMaxDiffItems = 100;
struct TensorDiffItem {
  std::string name;
  std::vector<std::string> values;  ///< per variant; "" where the variant lacks the tensor
};
struct TensorDiffList {
  size_t total = 0;
  std::vector<TensorDiffItem> items;
};

struct TensorSetDiff {
  TensorDiffList presence;  ///< names some variants lack (values: "yes" / "")
  TensorDiffList shapes;    ///< logical shapes that differ after unpacking
  TensorDiffList dtypes;    ///< stored dtypes of tensors unquantized everywhere they occur
};

/// A tokenizer or generation file across the variants.
struct FileIdentity {
  std::string file;
  std::vector<std::optional<std::string>> sha256;  ///< per variant; nullopt when absent
  bool identical = false;                          ///< present in all and every digest equal
};

struct Comparison {
  std::vector<CompareVariant> variants;  ///< most precise first
  size_t baseline = 0;                   ///< index into variants
  bool baseline_given = false;
  uint64_t context = 0;
  std::optional<MemoryBudget> memory_budget;
  std::vector<ArchRow> architecture;
  bool architecture_identical = true;
  /// Findings about the comparison itself, not one variant: `compare.different_models` (an
  /// error) when the variants are not one model. Shown at the top of every report.
  Findings findings;
  TensorSetDiff tensors;
  std::vector<FileIdentity> files;
  std::optional<CompareQuality> quality;  ///< with CompareOptions::quality
};

struct CompareInput {
  CompareInput() = default;
  CompareInput(std::string label_, std::filesystem::path dir_,
               std::shared_ptr<const Storage> storage_ = nullptr)
      : label(std::move(label_)), dir(std::move(dir_)), storage(std::move(storage_)) {}

  std::string label;  ///< as the user gave it
  std::filesystem::path dir;
  /// Where the variant's bytes are when not in `dir` on disk (a remote repository); `dir` then
  /// only names it.
  std::shared_ptr<const Storage> storage;
};

/// The resolved config values compared across variants, in report order, as text ("" where
/// unknown): "model_type", "text.hidden_size", ..., "vision.*", "projector.*".
std::vector<std::pair<std::string, std::string>> architecture_fields(
    const std::optional<Architecture>& arch);

/// The architecture fields that make a model the model it is: the type, the text and vision
/// dimensions, layer counts and vocabulary (not the sliding window or tied embeddings, which a
/// conversion may resolve differently). Variants that differ in one of them, where both know it,
/// are different models (`compare.different_models`).
bool is_identity_field(std::string_view field);

/// The files whose identity across variants is compared, in report order.
std::vector<std::string_view> compared_files();

/// SHA-256 (hex) of the file `name` in `dir`, for file identity across variants: nullopt when
/// there is no such entry, "not a regular file" for a link, directory or special file, and
/// "unreadable: <why>" when it cannot be read. `known` may already hold the digest (the file
/// cache of a comparison), which saves reading the file again.
std::optional<std::string> file_sha256(const ModelDir& dir, std::string_view name,
                                       const FileCache* known = nullptr);

/// The input the user means by `given` (--baseline, --reference): the one labelled `given`, else
/// the first whose directory is the same folder as `given` ("./x" and "x", a symlink to it);
/// nullopt when there is none.
std::optional<size_t> find_variant(std::span<const CompareInput> inputs, const std::string& given);

/// The variants under `root` (--root): every real subfolder (symlinks are not followed: they could
/// lead anywhere) that holds a config.json, sorted by name and labelled by it, so that a report
/// reads "4bit", not "/long/path/4bit". Throws std::runtime_error when `root` cannot be listed or
/// no subfolder holds a config.json.
std::vector<CompareInput> discover_variants(const std::filesystem::path& root);

/// Validates and measures every directory (in parallel), then compares them. Throws
/// std::invalid_argument when options.baseline names no input, and std::runtime_error (the
/// message naming the variant) when options.quality cannot be measured: an architecture or
/// config feature the forward pass refuses, a token id beyond the vocabulary, a text that is not
/// UTF-8, a variant whose tokenizer differs from the baseline's. The quality run is left out
/// (CompareQuality::not_measured says why) when the baseline has validation errors or the
/// variants are not one model; variants with validation errors are not evaluated.
Comparison compare_models(const std::vector<CompareInput>& inputs, const CompareOptions& options);

}  // namespace medq
