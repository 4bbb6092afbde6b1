// What each writer puts on disk (docs/formats.md §F):
// - mlx-vlm gemma3: language_model.model.*, language_model.lm_head.weight (always: sanitize fills
//   it from the embedding), vision_tower.vision_model.* with the patch embedding channels-last,
//   multi_modal_projector.*; mlx-lm: model.*, lm_head.weight unless tied; files tagged
//   {"format": "mlx"}.
// - transformers 4.50/4.51 (google/medgemma-4b-it): Gemma3ForConditionalGeneration's own module
//   names, language_model.model.*, vision_tower.vision_model.*, multi_modal_projector.*, the
//   tied lm_head left out; the patch embedding in PyTorch's OIHW order; files tagged
//   {"format": "pt"}.
// - transformers 4.52+ moved the modules (model.language_model, model.vision_tower,
//   model.multi_modal_projector, lm_head) and lists the old names in
//   Gemma3ForConditionalGeneration._checkpoint_conversion_mapping; save_pretrained writes either
//   form depending on the version (5.x, as the files in realdata/transformers show, reverses the
//   mapping and writes language_model.model.*, vision_tower.* without vision_model, and
//   multi_modal_projector.*). Every form is renamed here to the MLX names.
#include "medq/model/checkpoint_layout.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "medq/model/checkpoint.hpp"
#include "medq/model/tensor_layout.hpp"

namespace medq {

std::string_view layout_kind_name(LayoutKind k) {
  switch (k) {
    case LayoutKind::kMlx:
      return "mlx";
    case LayoutKind::kTransformers:
      return "transformers";
    case LayoutKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// A rule whose stored side ends in '.' renames a prefix; otherwise it renames one whole name.
bool rule_applies(std::string_view name, std::string_view from) {
  return from.ends_with('.') ? starts_with(name, from) : name == from;
}

std::string apply(const std::vector<NameMap::Rule>& rules, std::string_view name, bool forward) {
  for (const NameMap::Rule& r : rules) {
    const std::string& from = forward ? r.stored : r.logical;
    const std::string& to = forward ? r.logical : r.stored;
    if (rule_applies(name, from)) return to + std::string(name.substr(from.size()));
  }
  return std::string(name);
}

constexpr std::string_view kPatch = "vision_tower.vision_model.embeddings.patch_embedding.weight";

/// The renames a multimodal Gemma 3 checkpoint's names call for: each part of the model in the
/// form its names take (one form per part).
std::vector<NameMap::Rule> gemma3_rules(std::span<const TensorInfo> tensors) {
  bool lm_moved = false, vt_moved_full = false, vt_moved = false, vt_flat = false, vt_full = false,
       proj_moved = false, head_top = false;
  for (const TensorInfo& t : tensors) {
    const std::string_view n = t.name;
    lm_moved = lm_moved || starts_with(n, "model.language_model.");
    vt_moved_full = vt_moved_full || starts_with(n, "model.vision_tower.vision_model.");
    vt_moved = vt_moved || starts_with(n, "model.vision_tower.");
    vt_full = vt_full || starts_with(n, "vision_tower.vision_model.");
    const bool under_vision_model = starts_with(n, "vision_tower.vision_model.");
    vt_flat = vt_flat || (starts_with(n, "vision_tower.") && !under_vision_model);
    proj_moved = proj_moved || starts_with(n, "model.multi_modal_projector.");
    head_top = head_top || starts_with(n, "lm_head.");
  }
  std::vector<NameMap::Rule> r;
  if (lm_moved) r.push_back({"model.language_model.", "language_model.model."});
  if (vt_moved_full) {
    r.push_back({"model.vision_tower.vision_model.", "vision_tower.vision_model."});
  } else if (vt_moved) {
    r.push_back({"model.vision_tower.", "vision_tower.vision_model."});
  } else if (vt_flat && !vt_full) {
    r.push_back({"vision_tower.", "vision_tower.vision_model."});
  }
  if (proj_moved) r.push_back({"model.multi_modal_projector.", "multi_modal_projector."});
  if (head_top) r.push_back({"lm_head.", "language_model.lm_head."});
  return r;
}

std::string rule_evidence(const std::vector<NameMap::Rule>& rules) {
  std::string s;
  for (const NameMap::Rule& r : rules) {
    if (!s.empty()) s += ", ";
    s += r.stored + (r.stored.ends_with('.') ? "*" : "");
  }
  return "tensor names (" + s + ")";
}

bool packed(std::span<const TensorInfo> tensors) {
  std::set<std::string_view> scales;
  for (const TensorInfo& t : tensors) {
    if (ends_with(t.name, ".scales")) {
      scales.insert(std::string_view(t.name).substr(0, t.name.size() - 7));
    }
  }
  for (const TensorInfo& t : tensors) {
    if (t.dtype == Dtype::U32 && ends_with(t.name, ".weight") &&
        scales.count(std::string_view(t.name).substr(0, t.name.size() - 7))) {
      return true;
    }
  }
  return false;
}

/// The patch embedding's order from its shape, when the shape tells ([out, C, P, P] or
/// [out, P, P, C] with C channels and P the patch size, C != P).
std::optional<ConvOrder> conv_order(const TensorInfo& t, const Architecture& a) {
  if (!a.vision || t.shape.size() != 4) return std::nullopt;
  const auto& v = *a.vision;
  if (!v.num_channels.known() || !v.patch_size.known()) return std::nullopt;
  const uint64_t c = v.num_channels.value, p = v.patch_size.value;
  if (c == p) return std::nullopt;
  if (t.shape[1] == c && t.shape[2] == p && t.shape[3] == p) return ConvOrder::kOihw;
  if (t.shape[1] == p && t.shape[2] == p && t.shape[3] == c) return ConvOrder::kOhwi;
  return std::nullopt;
}

/// True for a quantization companion: MLX's `.scales` / `.biases`, transformers' FP8
/// `.weight_scale_inv`.
bool is_companion(std::string_view name) {
  return ends_with(name, ".scales") || ends_with(name, ".biases") ||
         ends_with(name, ".weight_scale_inv");
}

}  // namespace

std::string NameMap::to_logical(std::string_view stored) const {
  return apply(rules, stored, true);
}

std::string NameMap::to_stored(std::string_view logical) const {
  return apply(rules, logical, false);
}

CheckpointLayout detect_layout(std::span<const TensorInfo> tensors,
                               std::span<const std::string> formats, const Architecture* arch) {
  CheckpointLayout l;
  const bool known = arch && arch->family != Family::kUnknown;
  if (known && arch->family == Family::kGemma3) l.names.rules = gemma3_rules(tensors);

  const TensorInfo* patch = nullptr;
  for (const TensorInfo& t : tensors) {
    if (l.names.to_logical(t.name) == kPatch) patch = &t;
  }
  const std::optional<ConvOrder> order = patch && known ? conv_order(*patch, *arch) : std::nullopt;
  const bool all_pt =
      !formats.empty() &&
      std::all_of(formats.begin(), formats.end(), [](const std::string& f) { return f == "pt"; });
  const bool any_mlx =
      std::any_of(formats.begin(), formats.end(), [](const std::string& f) { return f == "mlx"; });
  if (!l.names.rules.empty()) {
    l.kind = LayoutKind::kTransformers;
    l.evidence = rule_evidence(l.names.rules);
  } else if (packed(tensors)) {
    l.kind = LayoutKind::kMlx;
    l.evidence = "packed weights (.scales)";
  } else if (order) {
    l.kind = *order == ConvOrder::kOihw ? LayoutKind::kTransformers : LayoutKind::kMlx;
    l.evidence = fmt::format("patch embedding [{}] ({})", fmt::join(patch->shape, ", "),
                             *order == ConvOrder::kOihw ? "OIHW" : "OHWI");
  } else if (all_pt) {
    l.kind = LayoutKind::kTransformers;
    l.evidence = "safetensors metadata (format: pt)";
  } else if (any_mlx) {
    l.kind = LayoutKind::kMlx;
    l.evidence = "safetensors metadata (format: mlx)";
  } else {
    l.kind = LayoutKind::kMlx;
    l.evidence = "names fit both; MLX assumed";
  }
  l.conv = l.kind == LayoutKind::kTransformers ? ConvOrder::kOihw : ConvOrder::kOhwi;
  if (!known) return l;

  // Recognized: the logical names the architecture expects in this layout.
  const TensorLayout expected = expected_layout(*arch, l.kind);
  std::set<std::string_view> seen;
  for (const TensorInfo& t : tensors) {
    if (!seen.insert(t.name).second) continue;
    if (is_companion(t.name)) continue;  // judged with its weight
    ++l.weights;
    const LayoutMatch m = match_tensor(expected, l.names.to_logical(t.name));
    if (m.entry) {
      ++l.recognized;
    } else if (l.unrecognized_examples.size() < 3) {
      l.unrecognized_examples.push_back(t.name);
    }
  }
  // Most names unknown in both layouts: the checkpoint is neither (a PEFT wrapper's
  // base_model.model.*, another architecture's names).
  if (l.weights > 0 && l.recognized * 2 < l.weights) {
    l.kind = LayoutKind::kUnknown;
    l.evidence = "tensor names";
    l.names.rules.clear();
  } else {
    l.unrecognized_examples.clear();
  }
  return l;
}

CheckpointLayout detect_layout(const Checkpoint& cp, const std::optional<Architecture>& arch) {
  std::vector<TensorInfo> infos;
  std::vector<std::string> formats;
  for (const WeightFile& f : cp.files) {
    const SafetensorsHeader* h = f.header.readable_header();
    if (!h) continue;
    infos.insert(infos.end(), h->tensors.begin(), h->tensors.end());
    if (h->metadata) {
      auto it = h->metadata->find("format");
      formats.push_back(it != h->metadata->end() ? it->second : "");
    } else {
      formats.emplace_back();
    }
  }
  return detect_layout(infos, formats, arch ? &*arch : nullptr);
}

std::string expected_names_summary(const Architecture& a) {
  if (a.family == Family::kGemma3) {
    return "language_model.model.layers.N.*, vision_tower.vision_model.*, "
           "multi_modal_projector.* (MLX, and transformers before 4.52), "
           "model.language_model.layers.N.*, model.vision_tower.*, model.multi_modal_projector.* "
           "(transformers 4.52+), or language_model.model.*, vision_tower.*, "
           "multi_modal_projector.* (transformers 5)";
  }
  if (a.family == Family::kPhi3) {
    return "model.embed_tokens.weight, model.layers.N.self_attn.qkv_proj.*, "
           "model.layers.N.mlp.gate_up_proj.*, model.norm.weight, lm_head.weight (MLX and "
           "transformers alike)";
  }
  return "model.embed_tokens.weight, model.layers.N.self_attn.*, model.layers.N.mlp.*, "
         "model.norm.weight, lm_head.weight (MLX and transformers alike)";
}

}  // namespace medq
