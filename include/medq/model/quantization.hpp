// MLX quantization as config.json records it (docs/formats.md §B.1, B.6): the global scheme,
// per-module overrides, the loader's rule for which scheme a module gets, and the arithmetic that
// links a scheme to packed tensor shapes (B.2) and to bits per weight (B.8).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/formats/dtype.hpp"

namespace medq {

enum class QuantMode : uint8_t { kAffine, kMxfp4, kMxfp8, kNvfp4 };

std::string_view quant_mode_name(QuantMode m);  // "affine", "mxfp4", "mxfp8", "nvfp4"
std::optional<QuantMode> parse_quant_mode(std::string_view s);

struct QuantScheme {
  QuantMode mode = QuantMode::kAffine;
  unsigned bits = 4;
  unsigned group_size = 64;

  bool operator==(const QuantScheme&) const = default;
};

/// "affine 4-bit g64", "mxfp4 (4-bit g32)".
std::string describe_scheme(const QuantScheme& s);

/// The defaults `_defaults_for_mode` fills in (mlx python/mlx/nn/layers/quantized.py):
/// affine 64/4, mxfp4 32/4, mxfp8 32/8, nvfp4 16/4.
QuantScheme default_scheme(QuantMode m);

/// True when MLX can run the scheme (docs/formats.md §B.1; affine_quantize, fp_quantize).
bool scheme_supported(const QuantScheme& s);

/// Every scheme MLX supports, affine first (bits ascending, then group size), then fp modes.
std::span<const QuantScheme> all_schemes();

struct QuantConfig {
  QuantScheme global;
  /// Per-module entries keyed by module path (no ".weight"): a scheme, or nullopt for `false`.
  std::map<std::string, std::optional<QuantScheme>, std::less<>> overrides;
  /// JSON pointer of the dict in effect ("/quantization", "/quantization_config" or
  /// "/text_config/quantization_config").
  std::string pointer;

  /// The scheme mlx-lm's loader gives `module_path` (docs/formats.md §B.6, `load_model`'s
  /// class_predicate): an override entry wins (false = stays float); otherwise the module is
  /// quantized with the global scheme iff `<path>.scales` exists (`has_scales`). `quantizable` is
  /// false for modules without `to_quantized` (norms, convolutions, raw arrays).
  std::optional<QuantScheme> resolve_scheme(std::string_view module_path, bool has_scales,
                                            bool quantizable = true) const;
};

struct QuantConfigResult {
  std::optional<QuantConfig> config;  ///< nullopt when the model claims no quantization
  Findings findings;
};

/// Parses `quantization` (mlx-lm's key, which the loader reads first) or else
/// `quantization_config` (also at text_config level). Bad values become findings ("quant.*")
/// located in `file_label`; a dict that is too broken to use yields no config.
QuantConfigResult parse_quantization(const nlohmann::json& config,
                                     std::string_view file_label = "config.json");

/// How describe_quant_config() spells the scheme.
enum class QuantSummaryStyle : uint8_t {
  kScheme,      ///< describe_scheme(): "affine 4-bit g64" (the compare report's tables)
  kSpelledOut,  ///< "affine 4-bit, group 64" (the validate report's model line)
};

/// What config.json claims about quantization, in one line: the global scheme of `q`
/// (parse_quantization() of `config`) and the number of per-module overrides ("affine 4-bit
/// g64, 16 per-module overrides"); "<method> (not an MLX scheme)" for an HF quant_method mlx-lm
/// does not map (awq, gptq, ...); "none" when it claims none; "unknown" when `config` is null or
/// not a JSON object.
std::string describe_quant_config(const nlohmann::json* config, const std::optional<QuantConfig>& q,
                                  QuantSummaryStyle style);

/// The logical input size of a packed row: packed_cols * 32 / bits, or nullopt when that is not
/// a whole number or overflows. Valid for every mode (fp4 codes are 4 bits, fp8 codes 8).
std::optional<uint64_t> unpacked_cols(uint64_t packed_cols, unsigned bits);

/// The logical shape of a packed `.weight` ([..., out, packed] -> [..., out, in]).
std::optional<std::vector<uint64_t>> logical_shape(std::span<const uint64_t> packed_shape,
                                                   unsigned bits);

/// Bits stored per weight: bits + (scale bits + bias bits) / group_size (docs/formats.md §B.8).
/// Affine stores a scale and a bias of `scale_dtype`; the fp modes one 8-bit scale.
double effective_bits_per_weight(const QuantScheme& s, Dtype scale_dtype = Dtype::BF16);

/// The supported schemes under which a packed weight with `packed_cols` columns and
/// `scales_cols` scale columns unpacks consistently (packed*32/bits == scales*group), restricted
/// to affine when `fp_scales` is false and to the fp modes when true; with `expected_in`, also to
/// those giving exactly that input size.
std::vector<QuantScheme> consistent_schemes(uint64_t packed_cols, uint64_t scales_cols,
                                            bool fp_scales,
                                            std::optional<uint64_t> expected_in = std::nullopt);

}  // namespace medq
