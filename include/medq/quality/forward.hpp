// The float32 forward pass of a decoder from its stored weights, layer by layer: the hidden
// states of every chunk are kept while each layer's weights are decoded once, applied to every
// chunk and dropped; the embedding is read row by row and the output projection in row blocks,
// so no more than one layer of the model is ever held decoded.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "medq/quality/forward_config.hpp"
#include "medq/quality/gemm.hpp"
#include "medq/quality/model_weights.hpp"

namespace medq {

/// A slice of the token sequence evaluated from an empty cache (positions 0..length-1);
/// positions score_from..length-1 are scored.
struct Chunk {
  uint64_t begin = 0;
  uint64_t length = 0;
  uint64_t score_from = 0;
};

/// Receives the logits of the scored positions in order (chunk by chunk), `count` rows of
/// vocab values starting at scored position `first`; it may overwrite them. Returns false, with
/// `*err`, to stop the pass.
using LogitSink =
    std::function<bool(uint64_t first, uint64_t count, float* logits, std::string* err)>;

struct ForwardOptions {
  unsigned threads = 0;                   ///< 0 = one per core
  uint64_t max_logit_floats = 1u << 26;   ///< logits held at once (256 MiB); at least one row
  GemmKernel kernel = GemmKernel::kAuto;  ///< the matrix product (tests run both)
  /// Called after each layer and each output block: done / total steps.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

/// Runs the model on `tokens` cut into `chunks` and hands the scored positions' logits to
/// `sink`. Token ids must be < the embedding's rows (checked). False with `*err` on a read
/// error or a shape that contradicts the config.
bool run_forward(const ForwardConfig& c, const ModelWeights& w, std::span<const uint32_t> tokens,
                 std::span<const Chunk> chunks, const LogitSink& sink, const ForwardOptions& o,
                 std::string* err);

}  // namespace medq
