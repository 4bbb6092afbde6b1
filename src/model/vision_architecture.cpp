#include "vision_architecture.hpp"

#include <cmath>

#include <fmt/format.h>

#include "config_fields.hpp"

namespace medq::detail {

using nlohmann::json;

VisionArchitecture resolve_vision(const json& obj, const std::string& prefix, bool known_family,
                                  const FindingSink& sink) {
  VisionDefaults none;
  none.loader = none.reference = "generic vision tower";
  const VisionDefaults& d = known_family ? gemma3_vision_defaults() : none;
  const Who who{d.loader, d.reference};
  VisionArchitecture v;
  v.hidden_size = int_field(obj, prefix, "hidden_size", d.hidden_size, sink, who);
  v.num_hidden_layers = int_field(obj, prefix, "num_hidden_layers", d.num_hidden_layers, sink, who);
  v.num_attention_heads =
      int_field(obj, prefix, "num_attention_heads", d.num_attention_heads, sink, who);
  v.intermediate_size = int_field(obj, prefix, "intermediate_size", d.intermediate_size, sink, who);
  v.patch_size = int_field(obj, prefix, "patch_size", d.patch_size, sink, who);
  v.image_size = int_field(obj, prefix, "image_size", d.image_size, sink, who);
  v.num_channels = int_field(obj, prefix, "num_channels", d.num_channels, sink, who);
  if (v.hidden_size.known() && v.num_attention_heads.known() &&
      v.hidden_size.value % v.num_attention_heads.value != 0) {
    sink.add("config.invalid_value", Severity::kError, v.num_attention_heads.pointer,
             fmt::format("vision hidden_size ({}) must be a multiple of num_attention_heads; "
                         "found {} heads",
                         v.hidden_size.value, v.num_attention_heads.value));
  }
  if (v.image_size.known() && v.patch_size.known() &&
      v.image_size.value % v.patch_size.value != 0) {
    sink.add("config.invalid_value", Severity::kWarning, v.patch_size.pointer,
             fmt::format("image_size ({}) should be a multiple of patch_size; found patch_size {} "
                         "(the border pixels are dropped)",
                         v.image_size.value, v.patch_size.value));
  }
  if (v.num_hidden_layers.known() && v.num_hidden_layers.value > kMaxLayers) {
    sink.add("config.invalid_value", Severity::kError, v.num_hidden_layers.pointer,
             fmt::format("vision num_hidden_layers must be at most {}; found {}", kMaxLayers,
                         v.num_hidden_layers.value));
  }
  return v;
}

ProjectorArchitecture resolve_projector(const json& config, const json& text_obj,
                                        const VisionArchitecture& v, const FindingSink& sink) {
  const ProjectorDefaults& d = gemma3_projector_defaults();
  const Who who{"mlx-vlm gemma3", "transformers Gemma3Config"};
  ProjectorArchitecture p;
  // transformers keeps mm_tokens_per_image at the top level, mlx-vlm in text_config: take the
  // top level first.
  p.mm_tokens_per_image = int_field(config, "", "mm_tokens_per_image", {Rule::kNone, 0}, sink, who);
  if (!p.mm_tokens_per_image.known()) {
    p.mm_tokens_per_image = int_field(text_obj, "/text_config", "mm_tokens_per_image",
                                      d.mm_tokens_per_image, sink, who);
  }
  p.image_token_index =
      int_field(config, "", "image_token_index", d.image_token_index, sink, who, true);
  if (!p.mm_tokens_per_image.known() || !v.image_size.known() || !v.patch_size.known()) return p;
  // Gemma3MultiModalProjector average-pools the (image/patch)^2 patch grid down to
  // mm_tokens_per_image tokens: the token count must be a square whose side divides the grid.
  const uint64_t tokens = p.mm_tokens_per_image.value;
  auto side = static_cast<uint64_t>(std::sqrt(static_cast<double>(tokens)));
  while (side > 0 && (side > 0xFFFFFFFFull || side * side > tokens)) --side;
  while (side < 0xFFFFFFFFull && (side + 1) * (side + 1) <= tokens) ++side;
  const uint64_t grid = v.image_size.value / v.patch_size.value;
  if (side * side != tokens || side == 0 || grid % side != 0) {
    sink.add("config.invalid_value", Severity::kError, p.mm_tokens_per_image.pointer,
             fmt::format("mm_tokens_per_image must be a square whose side divides the {}x{} patch "
                         "grid (image_size {} / patch_size {}); found {}",
                         grid, grid, v.image_size.value, v.patch_size.value, tokens));
  }
  return p;
}

}  // namespace medq::detail
