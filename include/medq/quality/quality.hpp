// `medq quality` as a library call below the checks: the reference's output distribution at
// every scored position, then each variant's, compared position by position: KL(P_ref || P_var),
// top-1 agreement, perplexities and the change in the next token's probability. The reference's
// log-probabilities wait in an anonymous temporary file, so memory does not grow with the input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/io/storage.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/quality/forward.hpp"
#include "medq/quality/statistics.hpp"

namespace medq {

/// One checkpoint to run: its folder, parsed config.json and logical tensors (which must
/// outlive the call).
struct QualityModel {
  std::string label;
  std::shared_ptr<const Storage> storage;  ///< where the checkpoint's bytes are
  const nlohmann::json* config = nullptr;
  const LogicalTensors* tensors = nullptr;
};

/// How the tokens are cut: chunks of `context` tokens (the last may be shorter), each from an
/// empty cache; positions score_from..end of each chunk are scored (default context / 2). A
/// chunk no longer than score_from has nothing to score and is left out.
std::vector<Chunk> plan_chunks(uint64_t tokens, uint64_t context, uint64_t score_from);

struct QualityOptions {
  uint64_t context = 512;
  std::optional<uint64_t> score_from;  ///< default context / 2
  unsigned threads = 0;
  /// Progress of the model being run: label, done / total steps.
  std::function<void(const std::string& label, uint64_t done, uint64_t total)> progress;
};

struct ReferenceQuality {
  std::string label;
  double ppl = 0;  ///< exp(mean -ln p_ref(next)) over positions with a next token
};

struct VariantQuality {
  std::string label;
  Distribution kld;  ///< nats, per scored position
  uint64_t top1_same = 0;
  double top1_agreement = 0;  ///< top1_same / scored positions
  double ppl = 0;
  double ppl_ratio = 0;     ///< ppl / reference ppl
  double ln_ppl_ratio = 0;  ///< mean(ln p_ref(next) - ln p_var(next))
  Distribution delta_p;     ///< p_var(next) - p_ref(next), positions with a next token
};

struct QualityResult {
  std::string model_type;
  uint64_t vocab = 0;
  uint64_t tokens = 0;
  uint64_t context = 0, score_from = 0;
  uint64_t chunks = 0;
  uint64_t tokens_evaluated = 0;  ///< tokens in the chunks run
  uint64_t scored = 0;            ///< positions where KLD and top-1 are measured
  uint64_t with_next = 0;         ///< scored positions with a next token in their chunk
  ReferenceQuality reference;
  std::vector<VariantQuality> variants;
};

/// Why an evaluation could not give numbers.
enum class QualityError : uint8_t {
  kNone,
  kUsage,        ///< bad input: no tokens to score, a token id >= vocab size
  kUnsupported,  ///< an architecture or config feature the forward pass refuses
  kRead,         ///< a tensor could not be read or contradicts the config
};

struct QualityOutcome {
  std::optional<QualityResult> result;
  QualityError error = QualityError::kNone;
  std::string message;
};

/// Runs the reference, then each variant, on `tokens`.
QualityOutcome evaluate_quality(const QualityModel& reference,
                                std::span<const QualityModel> variants,
                                std::span<const uint32_t> tokens, const QualityOptions& options);

/// The logits of every position of `tokens` as one chunk (rows of vocab values), for tests and
/// the reference comparisons. nullopt with `*err` (and `*kind`) on failure.
std::optional<std::vector<float>> chunk_logits(const QualityModel& model,
                                               std::span<const uint32_t> tokens, std::string* err,
                                               QualityError* kind = nullptr, unsigned threads = 0,
                                               GemmKernel kernel = GemmKernel::kAuto);

}  // namespace medq
