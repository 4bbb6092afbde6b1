// A release policy for `medq check` (docs/ci.md): which findings fail, the quantization a model
// must have, size and memory limits, fidelity thresholds against a reference variant, a manifest
// that must verify, a tokenizer that must match a reference's, and what may change since a
// previous release's report. Parsed strictly: every key is optional, but an unknown key, a wrong
// type or a value out of range is an error that names the key path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

/// The value of the policy's "medq_policy" key this medq reads.
inline constexpr int kPolicyVersion = 1;
/// Policy files larger than this are refused.
inline constexpr uint64_t kMaxPolicyBytes = 1ull << 20;
/// The context length the memory limit is evaluated at when the policy gives none.
inline constexpr uint64_t kDefaultPolicyContext = 8192;

struct FindingsPolicy {
  bool fail_on_warnings = false;
  /// Codes that fail the policy at any severity. A code may end in '*' to match a prefix
  /// ("tokenizer.*").
  std::vector<std::string> fail_on;
  /// Codes that never fail a findings rule (patterns as in fail_on). Errors still make the model
  /// invalid: `allow` silences warnings and fail_on, not validation.
  std::vector<std::string> allow;
  /// Also scan every tensor's data (validate --deep) before judging the findings.
  bool deep = false;
};

struct QuantizationPolicy {
  std::optional<std::string> mode;  ///< "affine", "mxfp4", "mxfp8", "nvfp4" or "none"
  std::optional<unsigned> bits;
  std::optional<unsigned> group_size;
  std::optional<bool> allow_mixed;
};

struct LimitsPolicy {
  std::optional<uint64_t> max_weight_bytes;
  std::optional<uint64_t> max_directory_bytes;
  std::optional<uint64_t> max_memory_bytes;
  uint64_t context_tokens = kDefaultPolicyContext;
};

struct FidelityThresholds {
  std::optional<double> min_cosine;
  std::optional<double> max_relative_error;
};

struct FidelityPolicy {
  std::optional<std::filesystem::path> reference;
  FidelityThresholds overall;
  /// By model part name ("language_model", "embeddings", "vision_tower", "projector").
  std::map<std::string, FidelityThresholds> components;
};

/// Output-quality thresholds against a reference variant: the forward passes of `medq quality`
/// (docs/quality.md) on an evaluation input the policy names.
struct QualityPolicy {
  /// The reference variant; when absent, fidelity.reference. --reference replaces it.
  std::optional<std::filesystem::path> reference;
  /// The evaluation input: a token-id file, or a text file (UTF-8), or neither: the bundled
  /// evaluation text. Part of the policy, as the thresholds mean something only on one input.
  std::optional<std::filesystem::path> tokens;
  std::optional<std::filesystem::path> text;
  uint64_t context = 512;                    ///< tokens per chunk
  std::optional<uint64_t> score_from;        ///< default context / 2
  std::optional<double> max_mean_kld;        ///< nats
  std::optional<double> max_kld_p99;         ///< nats, the 99th percentile over scored positions
  std::optional<double> min_top1_agreement;  ///< a fraction, 0 to 1
  std::optional<double> max_ppl_ratio;       ///< PPL_model / PPL_reference

  bool any_threshold() const {
    return max_mean_kld || max_kld_p99 || min_top1_agreement || max_ppl_ratio;
  }
};

struct IntegrityPolicy {
  std::optional<std::filesystem::path> manifest;
};

struct TokenizerPolicy {
  /// The variant whose tokenizer files must be identical; when absent, the fidelity reference.
  std::optional<std::filesystem::path> identical_to;
};

struct BaselinePolicy {
  std::optional<std::filesystem::path> report;
  bool allow_tensor_set_change = false;
  bool allow_architecture_change = false;
  std::optional<double> max_size_growth_percent;
};

struct Policy {
  std::filesystem::path file;  ///< where it was read from ("" when parsed from text)
  std::optional<FindingsPolicy> findings;
  std::optional<QuantizationPolicy> quantization;
  std::optional<LimitsPolicy> limits;
  std::optional<FidelityPolicy> fidelity;
  std::optional<QualityPolicy> quality;
  std::optional<IntegrityPolicy> integrity;
  std::optional<TokenizerPolicy> tokenizer;
  std::optional<BaselinePolicy> baseline;
};

/// What the command line gives, overriding the policy's paths.
struct PolicyOverrides {
  std::optional<std::filesystem::path> baseline;   ///< --baseline: baseline.report
  std::optional<std::filesystem::path> reference;  ///< --reference: fidelity.reference,
                                                   ///< quality.reference and
                                                   ///< tokenizer.identical_to
  std::optional<std::filesystem::path> manifest;   ///< --manifest: integrity.manifest
};

struct PolicyParse {
  std::optional<Policy> policy;
  std::string error;  ///< otherwise what is wrong, naming the key path ("policy.limits.x: ...")
};

/// Parses a policy document. Relative paths in it are resolved against `base_dir` (the policy
/// file's directory).
PolicyParse parse_policy(std::string_view text, const std::filesystem::path& base_dir);

/// Reads and parses the policy file at `path`.
PolicyParse read_policy(const std::filesystem::path& path);

/// Applies the command line's paths: --baseline adds the baseline section if the policy has none,
/// --manifest the integrity section, --reference replaces the fidelity, quality and tokenizer
/// references.
void apply_overrides(Policy& p, const PolicyOverrides& o);

/// The ids of the rules `p` evaluates, in report order, "validation" first; e.g.
/// "limits.max_weight_bytes", "fidelity.components.vision_tower.min_cosine",
/// "baseline.tensor_set". docs/ci.md lists them all.
std::vector<std::string> policy_rules(const Policy& p);

/// Why the policy cannot be evaluated as given (a fidelity or quality threshold without any
/// reference, a rule that checks nothing), or "" when it can.
std::string policy_usage_problem(const Policy& p);

/// The reference of the quality rules: quality.reference, else fidelity.reference; nullopt
/// when neither is given.
std::optional<std::filesystem::path> quality_reference(const Policy& p);

/// True when `code` matches `pattern`: equal, or `pattern` ends in '*' and is a prefix of it.
bool code_matches(std::string_view code, std::string_view pattern);

}  // namespace medq
