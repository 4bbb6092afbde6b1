// Which modules are quantized, and how: the global scheme, per-module overrides (a mixed recipe,
// or `false` for a module left in bf16), and the resolution rule mlx-lm's loader applies
// (docs/formats.md §B.6).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arch.hpp"

namespace medq::synth {

struct QuantSpec {
  std::string mode = "affine";  ///< affine, mxfp4, mxfp8, nvfp4
  unsigned bits = 4;
  unsigned group_size = 64;
};

struct QuantPlan {
  std::optional<QuantSpec> global;  ///< nullopt: an unquantized bf16 checkpoint
  /// Module path -> its scheme, or nullopt for `false` (left unquantized).
  std::map<std::string, std::optional<QuantSpec>> overrides;
  /// mlx-lm's recipes write "mode" inside override dicts; mlx-vlm's do not.
  bool override_has_mode = false;
  std::string recipe;  ///< e.g. "mixed_4_8", empty for uniform
};

/// Uniform affine quantization; throws std::invalid_argument for unsupported bits/group sizes.
QuantPlan plan_affine(unsigned bits, unsigned group_size);
/// mxfp4, mxfp8 or nvfp4 with MLX's fixed group size and bits.
QuantPlan plan_fp(const std::string& mode);
/// mlx-lm / mlx-vlm mixed recipe "mixed_L_H" (L low bits, H high bits, group 64): v_proj and
/// down_proj of the first and last eighth of the layers and every third layer between, the
/// lm_head (and for mlx-vlm the embedding) at H bits, the rest at L bits, every quantized module
/// listed explicitly. `skip` adds `false` entries.
QuantPlan plan_mixed(const std::string& recipe, const Arch& arch,
                     const std::vector<std::string>& skip);

/// The scheme module `p` gets under `plan`, or nullopt when it stays in float.
std::optional<QuantSpec> module_quant(const QuantPlan& plan, const Param& p);

}  // namespace medq::synth
