#include "medq/analysis/variant.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "medq/model/quantization.hpp"
#include "medq/model/tensor_layout.hpp"

namespace medq {

std::string_view model_part_name(ModelPart p) {
  switch (p) {
    case ModelPart::kLanguageModel:
      return "language_model";
    case ModelPart::kEmbeddings:
      return "embeddings";
    case ModelPart::kVision:
      return "vision_tower";
    case ModelPart::kProjector:
      return "projector";
  }
  return "language_model";
}

ModelPart model_part_of(std::string_view name) {
  auto has = [&](std::string_view s) { return name.find(s) != std::string_view::npos; };
  if (has("vision_tower") || has("vision_model")) return ModelPart::kVision;
  if (has("multi_modal_projector") || has("mm_projector")) return ModelPart::kProjector;
  if (has("embed_tokens") || has("lm_head")) return ModelPart::kEmbeddings;
  return ModelPart::kLanguageModel;
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string quant_config_summary(const std::optional<QuantConfig>& q) {
  if (!q) return "none";
  std::string s = describe_scheme(q->global);
  if (!q->overrides.empty()) s += fmt::format(", {} per-module overrides", q->overrides.size());
  return s;
}

bool is_model_file(EntryKind k) {
  switch (k) {
    case EntryKind::kIndex:
    case EntryKind::kConfig:
    case EntryKind::kGenerationConfig:
    case EntryKind::kTokenizerJson:
    case EntryKind::kTokenizerModel:
    case EntryKind::kTokenizerConfig:
    case EntryKind::kSpecialTokensMap:
    case EntryKind::kProcessorConfig:
    case EntryKind::kPreprocessorConfig:
    case EntryKind::kOtherJson:
    case EntryKind::kDocs:
      return true;
    default:
      return false;
  }
}

/// How a packed `.weight` unpacks: the scheme the loader would use when the shapes agree with
/// it, else the scheme the shapes (and the expected input size) are consistent with.
struct Unpacked {
  std::optional<QuantScheme> scheme;
  bool from_shapes = false;
};

Unpacked unpack_scheme(const Validation& v, const TensorLayout* layout, std::string_view module,
                       const TensorInfo& weight, const TensorInfo& scales) {
  Unpacked u;
  if (weight.shape.empty() || scales.shape.empty()) return u;
  const uint64_t packed = weight.shape.back();
  const uint64_t scols = scales.shape.back();
  const bool fp = scales.dtype == Dtype::U8;
  auto agrees = [&](const QuantScheme& s) {
    auto in = unpacked_cols(packed, s.bits);
    return in && *in == scols * s.group_size;
  };
  if (v.quant) {
    auto s = v.quant->resolve_scheme(module, true, true);
    if (s && agrees(*s)) {
      u.scheme = s;
      return u;
    }
  }
  std::optional<uint64_t> want;
  if (layout) {
    LayoutMatch m = match_tensor(*layout, std::string(module) + ".weight");
    if (m.entry && !m.entry->shape.empty() && m.entry->shape.back() != 0) {
      want = m.entry->shape.back();
    }
  }
  auto fits = consistent_schemes(packed, scols, fp, want);
  if (fits.empty()) fits = consistent_schemes(packed, scols, fp);
  // Several schemes can fit the same shapes (4-bit g64 and 8-bit g32 store alike); prefer the
  // configured mode and bits, then MLX's default group size 64.
  auto rank = [&](const QuantScheme& f) {
    int r = 0;
    if (!v.quant || f.bits != v.quant->global.bits || f.mode != v.quant->global.mode) r += 2;
    if (f.group_size != default_scheme(f.mode).group_size) r += 1;
    return r;
  };
  for (const auto& f : fits) {
    if (!u.scheme || rank(f) < rank(*u.scheme)) u.scheme = f;
  }
  u.from_shapes = true;
  return u;
}

}  // namespace

VariantStats analyze_variant(const Validation& v, std::string label) {
  VariantStats s;
  s.label = std::move(label);
  s.arch = v.arch;
  if (v.arch) s.model_type = v.arch->model_type;
  s.config_quantization = v.config() ? quant_config_summary(v.quant) : "unknown";

  // Validation verdict.
  std::set<std::string, std::less<>> duplicates;
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kError) {
      ++s.errors;
      ++s.error_codes[f.code];
    } else if (f.severity == Severity::kWarning) {
      ++s.warnings;
    }
    if (f.code == "directory.duplicate_weights") duplicates.insert(f.where.file);
  }

  // Bytes: the weight files a loader reads, the small files that belong to the model, and the
  // rest, named.
  s.directory_bytes = v.dir.total_bytes;
  for (const auto& e : v.dir.entries) {
    if (e.kind == EntryKind::kWeights && !duplicates.count(e.name)) {
      s.weight_file_bytes += e.bytes;
      ++s.weight_files;
    } else if (is_model_file(e.kind)) {
      s.metadata_bytes += e.bytes;
    } else {
      std::string why = e.kind == EntryKind::kWeights ? "duplicate weights"
                                                      : std::string(entry_kind_name(e.kind));
      s.extra.push_back({e.name, why, e.bytes});
      s.extra_bytes += e.bytes;
    }
  }
  std::stable_sort(s.extra.begin(), s.extra.end(),
                   [](const ExtraFile& a, const ExtraFile& b) { return a.bytes > b.bytes; });

  // Distinct tensors, from the files a loader reads.
  std::map<std::string, const TensorInfo*, std::less<>> by_name;
  for (const auto& wf : v.checkpoint.files) {
    if (duplicates.count(wf.name)) continue;
    const SafetensorsHeader* h = wf.header.readable_header();
    if (!h) continue;
    for (const auto& t : h->tensors) by_name.emplace(t.name, &t);
  }
  std::optional<TensorLayout> layout;
  if (v.arch) layout = expected_layout(*v.arch);
  const TensorLayout* lay = layout && layout->known ? &*layout : nullptr;

  std::map<std::string, SchemeUse> schemes;
  std::map<Dtype, uint64_t> float_dtypes;
  for (const auto& [name, t] : by_name) {
    ++s.tensor_count;
    s.tensor_bytes += t->nbytes();
    PartStats& part = s.parts[model_part_of(name)];
    ++part.tensors;
    part.bytes += t->nbytes();

    // Scales and biases of a packed weight are storage, not parameters.
    auto module_of = [&](std::string_view suffix) -> std::optional<std::string> {
      if (!ends_with(name, suffix)) return std::nullopt;
      std::string m = name.substr(0, name.size() - suffix.size());
      auto w = by_name.find(m + ".weight");
      if (w == by_name.end() || w->second->dtype != Dtype::U32) return std::nullopt;
      if (!by_name.count(m + ".scales")) return std::nullopt;
      return m;
    };
    if (module_of(".scales") || module_of(".biases")) {
      s.quantized_bytes += t->nbytes();
      continue;
    }

    LogicalTensor lt;
    lt.shape = t->shape;
    lt.dtype = t->dtype;
    uint64_t params = t->num_elements();
    if (ends_with(name, ".weight") && t->dtype == Dtype::U32) {
      std::string module = name.substr(0, name.size() - 7);
      auto sc = by_name.find(module + ".scales");
      if (sc != by_name.end()) {
        Unpacked u = unpack_scheme(v, lay, module, *t, *sc->second);
        if (u.scheme) {
          if (auto shape = logical_shape(t->shape, u.scheme->bits)) {
            lt.shape = *shape;
            params = 1;
            for (uint64_t d : *shape) params *= d;
          }
          lt.scheme = describe_scheme(*u.scheme);
          SchemeUse& use = schemes[*lt.scheme];
          use.scheme = *lt.scheme;
          use.quantized = true;
          use.bits = u.scheme->bits;
          ++use.modules;
          use.params += params;
          s.quantized_params += params;
          s.quantized_bytes += t->nbytes();
          if (u.from_shapes) s.params_from_shapes += params;
        }
      }
    } else if (dtype_is_float(t->dtype)) {
      float_dtypes[t->dtype] += params;
      // A Linear/Embedding weight left in float (two dimensions, a .weight).
      if (ends_with(name, ".weight") && t->shape.size() == 2) {
        std::string key = fmt::format("float {}", dtype_name(t->dtype));
        SchemeUse& use = schemes[key];
        use.scheme = key;
        use.bits = dtype_bits(t->dtype);
        ++use.modules;
        use.params += params;
      }
    }
    s.params += params;
    part.params += params;
    s.tensors.emplace(name, std::move(lt));
  }
  for (auto& [k, use] : schemes) s.schemes.push_back(use);
  std::stable_sort(s.schemes.begin(), s.schemes.end(), [](const SchemeUse& a, const SchemeUse& b) {
    if (a.quantized != b.quantized) return a.quantized;
    return a.bits > b.bits;
  });
  if (s.quantized_params > 0) {
    s.bits_quantized = static_cast<double>(s.quantized_bytes) * 8.0 /
                       static_cast<double>(s.quantized_params);
  }
  if (s.params > 0) {
    s.bits_per_weight =
        static_cast<double>(s.tensor_bytes) * 8.0 / static_cast<double>(s.params);
  }
  uint64_t best = 0;
  for (const auto& [d, n] : float_dtypes) {
    if (n > best) {
      best = n;
      s.activation_dtype = d;
    }
  }
  return s;
}

}  // namespace medq
