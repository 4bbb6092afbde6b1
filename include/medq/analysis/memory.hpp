// Estimated memory at inference: the weights as stored, the KV cache at a given context length,
// and a stated allowance for everything else. Every input and assumption is kept so the report
// can show how the number was made.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "medq/formats/dtype.hpp"
#include "medq/model/architecture.hpp"

namespace medq {

/// The allowance for activations, MLX buffers and the runtime, as a fraction of weights + KV
/// cache. A rule of thumb, stated in every report; not measured.
inline constexpr double kMemoryOverheadFraction = 0.10;

struct MemoryEstimate {
  uint64_t weights = 0;  ///< tensor bytes as stored (packed weights stay packed in memory)
  uint64_t context = 0;  ///< tokens
  /// KV cache: per layer 2 (K and V) x kv_heads x head_dim x tokens x bytes per element, where
  /// tokens = context for global-attention layers and min(context, window) for sliding-window
  /// layers (mlx-lm's RotatingKVCache).
  std::optional<uint64_t> kv_cache;  ///< nullopt when the config does not give the dimensions
  Dtype kv_dtype = Dtype::BF16;
  uint64_t layers = 0;
  uint64_t sliding_layers = 0;
  std::optional<uint64_t> window;
  uint64_t kv_heads = 0;
  uint64_t head_dim = 0;
  uint64_t overhead = 0;
  uint64_t total = 0;
  std::optional<uint64_t> budget;
  std::optional<bool> fits;  ///< total <= budget, when a budget was given
};

/// Estimates memory for `arch` (may be null: weights and overhead only) at `context` tokens.
MemoryEstimate estimate_memory(const Architecture* arch, uint64_t weight_bytes, uint64_t context,
                               Dtype kv_dtype, std::optional<uint64_t> budget);

/// Parses a size such as "8GB", "7.5 GiB", "6000MB", "512MiB", "4096" (bytes). Decimal units are
/// powers of 1000, binary ones of 1024. Nullopt when malformed or over 2^64.
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace medq
