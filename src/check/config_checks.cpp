#include "medq/check/config_checks.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "medq/io/checked.hpp"
#include "medq/model/tensor_layout.hpp"
#include "tensor_index.hpp"

namespace medq {

namespace detail {
std::string format_shape(std::span<const uint64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += shape[i] == 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}
}  // namespace detail

namespace {

using detail::ends_with;
using detail::format_shape;
using detail::TensorIndex;

void add(Findings& out, std::string_view code, Severity sev, std::string_view tensor,
         std::string message) {
  Finding f;
  f.code = std::string(code);
  f.severity = sev;
  f.where.tensor = std::string(tensor);
  f.message = std::move(message);
  out.push_back(std::move(f));
}

/// Equal rank and every known (non-zero) expected dimension equal; `skip_last` leaves the last
/// dimension out.
bool shape_fits(std::span<const uint64_t> expected, std::span<const uint64_t> found,
                bool skip_last) {
  if (expected.size() != found.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (skip_last && i + 1 == expected.size()) continue;
    if (expected[i] != 0 && expected[i] != found[i]) return false;
  }
  return true;
}

/// Compares one present tensor with its expected entry, unpacking it when quantized.
void check_shape(const ExpectedTensor& e, const TensorInfo& t, std::string_view module,
                 const TensorIndex& idx, const std::optional<QuantConfig>& quant, Findings& out) {
  const TensorInfo* scales = idx.find(module, ".scales");
  const bool packed = scales != nullptr && t.dtype == Dtype::U32 && ends_with(t.name, ".weight");
  if (packed && !e.quantizable) return;  // quant.not_quantizable reports it
  std::string formula = e.formula.empty() ? "" : " = " + e.formula;
  if (!packed) {
    if (!shape_fits(e.shape, t.shape, false)) {
      add(out, "config.shape_mismatch", Severity::kError, t.name,
          fmt::format("shape must be {}{}; found {}", format_shape(e.shape), formula,
                      format_shape(t.shape)));
    }
    return;
  }
  // Quantized: the out dimensions are stored as is; the input dimension is packed.
  std::optional<QuantScheme> scheme;
  if (quant) scheme = quant->resolve_scheme(module, true, true);
  std::vector<uint64_t> logical = t.shape;
  bool compare_last = false;
  if (!logical.empty()) logical.back() = 0;
  if (scheme && !t.shape.empty() && scales->shape.size() == t.shape.size()) {
    const auto in = unpacked_cols(t.shape.back(), scheme->bits);
    const auto from_scales = checked_mul(scales->shape.back(), scheme->group_size);
    const uint64_t want = e.shape.empty() ? 0 : e.shape.back();
    if (in && from_scales && *in == *from_scales) {
      logical.back() = *in;
      // When another (bits, group_size) unpacks to the expected size, the config is what is
      // wrong: quant.scheme_mismatch says so, and this check stays quiet about the last dim.
      const bool config_wrong = want != 0 && *in != want &&
                                !consistent_schemes(t.shape.back(), scales->shape.back(),
                                                    scales->dtype == Dtype::U8, want)
                                     .empty();
      compare_last = !config_wrong;
    }
  }
  if (!shape_fits(e.shape, logical, !compare_last)) {
    add(out, "config.shape_mismatch", Severity::kError, t.name,
        fmt::format("logical shape must be {}{}; found {} (stored packed as {}{})",
                    format_shape(e.shape), formula, format_shape(logical), format_shape(t.shape),
                    scheme ? ", " + describe_scheme(*scheme) : std::string()));
  }
}

std::string_view weight_module(std::string_view name) {
  return ends_with(name, ".weight") ? name.substr(0, name.size() - 7) : name;
}

std::string_view companion_suffix(std::string_view name) {
  for (std::string_view suffix : {std::string_view(".scales"), std::string_view(".biases"),
                                  std::string_view(".weight_scale_inv")}) {
    if (ends_with(name, suffix)) return suffix;
  }
  return {};
}

void check_known(const Architecture& arch, std::span<const TensorInfo> tensors,
                 const std::optional<QuantConfig>& quant, const CheckpointLayout& cl,
                 Findings& out) {
  if (cl.kind == LayoutKind::kUnknown) {
    std::string examples;
    for (const std::string& n : cl.unrecognized_examples) {
      examples += (examples.empty() ? "'" : ", '") + n + "'";
    }
    add(out, "config.unknown_layout", Severity::kError, "",
        fmt::format("tensor names must follow the MLX or the transformers layout of model_type "
                    "\"{}\": {}; found {} of {} tensors with other names ({}{})",
                    arch.model_type, expected_names_summary(arch), cl.weights - cl.recognized,
                    cl.weights, examples, cl.weights - cl.recognized > 3 ? ", ..." : ""));
    return;
  }
  const TensorLayout layout = expected_layout(arch, cl.kind);
  const NameMap& names = cl.names;
  const TensorIndex idx(tensors);

  // Layers seen per stack, and tensors under layer indices beyond the count.
  std::vector<std::vector<bool>> seen(layout.stacks.size());
  for (size_t s = 0; s < layout.stacks.size(); ++s) {
    const auto& c = layout.stacks[s].count;
    if (c && *c <= kMaxLayers) seen[s].assign(static_cast<size_t>(*c), false);
  }
  std::map<std::pair<size_t, uint64_t>, std::pair<std::string, uint64_t>> beyond;
  std::set<std::string, std::less<>> present;  // logical names

  for (const TensorInfo& t : tensors) {
    const std::string logical_name = names.to_logical(t.name);
    present.insert(logical_name);
    std::string_view name = logical_name;
    const std::string_view suffix = companion_suffix(t.name);
    // transformers' fine-grained FP8 keeps a per-block weight_scale_inv beside each weight; MLX
    // layouts have no such tensor.
    const bool fp8_scale = suffix == ".weight_scale_inv" && cl.kind == LayoutKind::kTransformers;
    std::string_view module;
    std::string weight_name;
    if (!suffix.empty() && (suffix != ".weight_scale_inv" || fp8_scale)) {
      module = std::string_view(t.name).substr(0, t.name.size() - suffix.size());
      weight_name = logical_name.substr(0, logical_name.size() - suffix.size()) + ".weight";
      name = weight_name;  // a companion is judged by its module's weight entry
    }
    const LayoutMatch m = match_tensor(layout, name);
    if (m.stack != nullptr) {
      const auto s = static_cast<size_t>(m.stack - layout.stacks.data());
      if (m.stack->count && *m.layer >= *m.stack->count) {
        auto& b = beyond[{s, *m.layer}];
        if (b.second++ == 0) b.first = t.name;
        continue;
      }
      if (*m.layer < seen[s].size()) seen[s][static_cast<size_t>(*m.layer)] = true;
    }
    if (m.entry == nullptr) {
      add(out, "config.unexpected_tensor", Severity::kError, t.name,
          fmt::format("tensor must be one {} defines for model_type \"{}\"; found an unknown "
                      "name (a strict load rejects it)",
                      layout.source, arch.model_type));
      continue;
    }
    if (!module.empty()) {
      // Quantization companions are checked by check_quantization, except those of an entry
      // the loader drops (its .weight goes, its .scales stay and fail the strict load).
      if (m.entry->dropped_by_loader && !fp8_scale) {
        add(out, "config.unexpected_tensor", Severity::kError, t.name,
            fmt::format("tensor must be absent: tie_word_embeddings is true, so the loader has "
                        "no {} module and drops only its .weight; found it",
                        module));
      }
      continue;
    }
    if (m.entry->dropped_by_loader) {
      add(out, "config.unused_tensor", Severity::kWarning, t.name,
          "tensor should be absent: tie_word_embeddings is true, so the loader drops it and "
          "reuses the embedding; found it (wasted bytes, or tie_word_embeddings is wrong)");
    }
    check_shape(*m.entry, t, weight_module(t.name), idx, quant, out);
  }

  for (const auto& [key, b] : beyond) {
    const LayerStack& s = layout.stacks[key.first];
    add(out, "config.layer_out_of_range", Severity::kError, b.first,
        fmt::format("layer indices under {} must be below num_hidden_layers = {}; found layer "
                    "{} ({} tensors)",
                    names.to_stored(s.prefix), *s.count, key.second, b.second));
  }

  // Missing tensors. Vision and projector parts that are entirely absent are one finding each.
  std::map<Component, std::pair<uint64_t, uint64_t>> totals;  // expected, missing
  std::vector<std::pair<Component, Finding>> missing;
  auto note_missing = [&](const ExpectedTensor& e, const std::string& full, bool is_present) {
    if (e.optional || e.dropped_by_loader) return;
    auto& tot = totals[e.component];
    ++tot.first;
    if (is_present) return;
    ++tot.second;
    const std::string stored = names.to_stored(full);
    Finding f;
    f.code = "config.missing_tensor";
    f.where.tensor = stored;
    f.message = fmt::format("tensor {} must be present with shape {}; found no such tensor", stored,
                            format_shape(e.shape));
    missing.emplace_back(e.component, std::move(f));
  };
  for (const ExpectedTensor& e : layout.globals) note_missing(e, e.name, present.count(e.name));
  for (size_t s = 0; s < layout.stacks.size(); ++s) {
    const LayerStack& st = layout.stacks[s];
    for (size_t i = 0; i < seen[s].size(); ++i) {
      const std::string prefix = st.prefix + std::to_string(i) + ".";
      if (!seen[s][i]) {
        for (const ExpectedTensor& e : st.per_layer) {
          auto& tot = totals[e.component];
          ++tot.first;
          ++tot.second;
        }
        Finding f;
        f.code = "config.missing_layer";
        f.where.tensor = names.to_stored(prefix) + "*";
        f.message = fmt::format("layer {} of {} must have its {} tensors; found none", i,
                                seen[s].size(), st.per_layer.size());
        missing.emplace_back(
            st.per_layer.empty() ? Component::kLanguageModel : st.per_layer.front().component,
            std::move(f));
        continue;
      }
      for (const ExpectedTensor& e : st.per_layer) {
        const std::string full = prefix + e.name;
        note_missing(e, full, present.count(full));
      }
    }
  }
  for (Component c : {Component::kVision, Component::kProjector}) {
    auto it = totals.find(c);
    if (it == totals.end() || it->second.first == 0 || it->second.first != it->second.second) {
      continue;
    }
    add(out, "config.missing_component", Severity::kError,
        c == Component::kVision ? "vision_tower.*" : "multi_modal_projector.*",
        fmt::format("the {} must be present ({} tensors for model_type \"{}\"); found none of "
                    "them (a text-only conversion of a multimodal config?)",
                    c == Component::kVision ? "vision tower" : "multimodal projector",
                    it->second.first, arch.model_type));
    std::erase_if(missing, [c](const auto& p) { return p.first == c; });
  }
  for (auto& [c, f] : missing) out.push_back(std::move(f));
}

/// Architecture-independent checks for model types medq does not know.
void check_generic(const Architecture& arch, std::span<const TensorInfo> tensors,
                   const std::optional<QuantConfig>& quant, Findings& out) {
  const TextArchitecture& t = arch.text;
  const uint64_t hidden = t.hidden_size.known() ? t.hidden_size.value : 0;
  const uint64_t vocab = t.vocab_size.known() ? t.vocab_size.value : 0;
  const TensorIndex idx(tensors);
  std::map<std::string, std::vector<bool>> layers_seen;  // by "...model.layers." prefix
  std::map<std::pair<std::string, uint64_t>, std::pair<std::string, uint64_t>> beyond;
  const uint64_t n = t.num_hidden_layers.known() && t.num_hidden_layers.value <= kMaxLayers
                         ? t.num_hidden_layers.value
                         : 0;
  for (const TensorInfo& ti : tensors) {
    const std::string_view name = ti.name;
    ExpectedTensor e;
    if (ends_with(name, "model.embed_tokens.weight") || ends_with(name, "lm_head.weight")) {
      e.shape = {vocab, hidden};
      e.formula = "[vocab_size, hidden_size]";
      e.quantizable = true;
      check_shape(e, ti, weight_module(name), idx, quant, out);
    } else if (ends_with(name, "model.norm.weight")) {
      e.shape = {hidden};
      e.formula = "[hidden_size]";
      check_shape(e, ti, weight_module(name), idx, quant, out);
    }
    const size_t at = name.find("model.layers.");
    if (at == std::string_view::npos || n == 0) continue;
    const std::string prefix(name.substr(0, at + 13));
    size_t i = prefix.size();
    uint64_t layer = 0;
    bool digits = false;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && layer <= kMaxLayers * 10) {
      layer = layer * 10 + static_cast<uint64_t>(name[i++] - '0');
      digits = true;
    }
    if (!digits || i >= name.size() || name[i] != '.') continue;
    auto& seen = layers_seen[prefix];
    if (seen.empty()) seen.assign(static_cast<size_t>(n), false);
    if (layer >= n) {
      auto& b = beyond[{prefix, layer}];
      if (b.second++ == 0) b.first = ti.name;
    } else {
      seen[static_cast<size_t>(layer)] = true;
    }
  }
  for (const auto& [key, b] : beyond) {
    add(out, "config.layer_out_of_range", Severity::kError, b.first,
        fmt::format("layer indices under {} must be below num_hidden_layers = {}; found layer "
                    "{} ({} tensors)",
                    key.first, n, key.second, b.second));
  }
  for (const auto& [prefix, seen] : layers_seen) {
    for (size_t i = 0; i < seen.size(); ++i) {
      if (seen[i]) continue;
      add(out, "config.missing_layer", Severity::kError, prefix + std::to_string(i) + ".*",
          fmt::format("layer {} of {} must have tensors under {}; found none", i, n, prefix));
    }
  }
}

}  // namespace

Findings check_config_vs_tensors(const Architecture& arch, std::span<const TensorInfo> tensors,
                                 const std::optional<QuantConfig>& quant,
                                 const CheckpointLayout* layout) {
  Findings out;
  if (arch.family == Family::kUnknown) {
    check_generic(arch, tensors, quant, out);
  } else if (layout != nullptr) {
    check_known(arch, tensors, quant, *layout, out);
  } else {
    check_known(arch, tensors, quant, detect_layout(tensors, {}, &arch), out);
  }
  return out;
}

}  // namespace medq
