// The JSON of quality measurements, one layout wherever they appear: `medq quality`, `medq
// compare --quality` and the quality rules of `medq check` (docs/json.md). Numbers from the
// forward pass carry six significant digits: a float32 pass repeats to about that many across
// BLAS kernels.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "medq/analysis/quality_run.hpp"

namespace medq {

/// `v` rounded to six significant digits (0 and non-finite values as they are).
double quality_sig6(double v);

/// A variant's numbers against the reference: kld, top1_agreement, top1_same, ppl, ppl_ratio,
/// ln_ppl_ratio, delta_p.
nlohmann::ordered_json variant_quality_json(const VariantQuality& v);

/// Adds what was run to `j`: model_type, vocab_size, tokens, context, score_from, chunks,
/// tokens_evaluated, scored_positions, next_token_positions, then text and tokenizer (null with
/// token ids).
void quality_run_json(nlohmann::ordered_json& j, const QualityResult& r,
                      const std::optional<QualityText>& text);

}  // namespace medq
