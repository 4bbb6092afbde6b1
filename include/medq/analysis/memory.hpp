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
  /// budget - total: how far under (positive) or over (negative) the budget, when one was given.
  std::optional<int64_t> headroom;
};

/// A memory budget (--memory-budget) as the user wrote it: "6GiB" is 6 x 2^30 bytes and reads
/// "6 GiB" in the report, "6GB" is 6 x 10^9 bytes and reads "6 GB".
struct MemoryBudget {
  uint64_t bytes = 0;
  std::string number;        ///< as written: "6", "7.5"
  std::string unit;          ///< the unit written, spelled canonically: "GiB", "GB", "kB", ...
  double unit_bytes = 1;     ///< bytes per `unit`
  std::string text() const;  ///< "6 GiB"
  /// A byte count in the budget's unit, two decimals: "1.59 GiB".
  std::string in_unit(uint64_t v) const;
  /// "1.59 GiB under" or "0.56 GiB over" (the headroom in the budget's unit).
  std::string headroom_text(int64_t headroom) const;
};

/// Parses a budget such as "6GB", "7.5 GiB", "6000MB", "512MiB": a positive number and one of
/// the units B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), in any
/// letter case. A number without a unit is refused (is "6" bytes or gigabytes?): nullopt, with
/// `*why` saying what is wrong.
std::optional<MemoryBudget> parse_memory_budget(std::string_view text, std::string* why);

/// Estimates memory for `arch` (may be null: weights and overhead only) at `context` tokens.
MemoryEstimate estimate_memory(const Architecture* arch, uint64_t weight_bytes, uint64_t context,
                               Dtype kv_dtype, std::optional<uint64_t> budget);

/// Parses a size such as "8GB", "7.5 GiB", "6000MB", "512MiB", "4096" (bytes). Decimal units are
/// powers of 1000, binary ones of 1024. Nullopt when malformed or over 2^64.
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace medq
