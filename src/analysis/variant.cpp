#include "medq/analysis/variant.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "medq/model/logical_tensors.hpp"
#include "medq/model/quantization.hpp"

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

// The small files that belong to the model: those a loader reads (the weights are counted on
// their own), other JSON and the docs.
bool is_model_file(EntryKind k) {
  return k != EntryKind::kWeights &&
         (loader_reads(k) || k == EntryKind::kOtherJson || k == EntryKind::kDocs);
}

}  // namespace

VariantStats analyze_variant(const Validation& v, std::string label) {
  VariantStats s;
  s.label = std::move(label);
  s.arch = v.arch;
  if (v.arch) s.model_type = v.arch->model_type;
  s.config_quantization = describe_quant_config(v.config(), v.quant, QuantSummaryStyle::kScheme);
  s.layout = v.layout.kind;
  s.layout_evidence = v.layout.evidence;

  // Validation verdict.
  for (const auto& f : v.findings) {
    if (f.severity == Severity::kError) {
      ++s.errors;
      ++s.error_codes[f.code];
    } else if (f.severity == Severity::kWarning) {
      ++s.warnings;
    }
  }
  const auto duplicates = v.checkpoint.duplicate_files();

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

  // Distinct tensors, from the files a loader reads; scales and biases are storage of their
  // packed weight, not parameters.
  std::map<std::string, SchemeUse> schemes;
  std::map<Dtype, uint64_t> float_dtypes;
  for (const LogicalTensor& lt : logical_tensors(v.checkpoint, v.quant, v.arch).tensors) {
    const uint64_t stored = lt.stored_bytes();
    s.tensor_count += 1 + (lt.scales ? 1 : 0) + (lt.biases ? 1 : 0);
    s.companion_tensors += (lt.scales ? 1 : 0) + (lt.biases ? 1 : 0);
    s.tensor_bytes += stored;
    PartStats& part = s.parts[model_part_of(lt.name)];
    part.tensors += 1 + (lt.scales ? 1 : 0) + (lt.biases ? 1 : 0);
    part.bytes += stored;
    part.params += lt.params;
    s.params += lt.params;

    TensorSummary ts;
    ts.shape = lt.shape;
    if (lt.conv == ConvOrder::kOihw && ts.shape.size() == 4) {
      ts.shape = {lt.shape[0], lt.shape[2], lt.shape[3], lt.shape[1]};  // OIHW -> OHWI
    }
    ts.dtype = lt.data.info->dtype;
    if (lt.quantized()) {
      ts.scheme = describe_scheme(*lt.scheme);
      SchemeUse& use = schemes[*ts.scheme];
      use.scheme = *ts.scheme;
      use.quantized = true;
      use.bits = lt.scheme->bits;
      ++use.modules;
      use.params += lt.params;
      s.quantized_params += lt.params;
      s.quantized_bytes += stored;
      if (lt.scheme_from_shapes) s.params_from_shapes += lt.params;
    } else if (dtype_is_float(ts.dtype)) {
      float_dtypes[ts.dtype] += lt.params;
      // A Linear/Embedding weight left in float (two dimensions, a .weight).
      if (ends_with(lt.name, ".weight") && lt.shape.size() == 2) {
        std::string key = fmt::format("float {}", dtype_name(ts.dtype));
        SchemeUse& use = schemes[key];
        use.scheme = key;
        use.bits = dtype_bits(ts.dtype);
        ++use.modules;
        use.params += lt.params;
      }
    }
    s.tensors.emplace(lt.logical_name, std::move(ts));
  }
  for (auto& [k, use] : schemes) s.schemes.push_back(use);
  std::stable_sort(s.schemes.begin(), s.schemes.end(), [](const SchemeUse& a, const SchemeUse& b) {
    if (a.quantized != b.quantized) return a.quantized;
    return a.bits > b.bits;
  });
  if (s.quantized_params > 0) {
    s.bits_quantized =
        static_cast<double>(s.quantized_bytes) * 8.0 / static_cast<double>(s.quantized_params);
  }
  if (s.params > 0) {
    s.bits_per_weight = static_cast<double>(s.tensor_bytes) * 8.0 / static_cast<double>(s.params);
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

std::vector<size_t> precision_order(std::span<const std::optional<double>> bits_per_weight) {
  std::vector<size_t> order(bits_per_weight.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = bits_per_weight[a];
    const auto& y = bits_per_weight[b];
    if (x.has_value() != y.has_value()) return x.has_value();
    return x && *x > *y;
  });
  return order;
}

size_t most_precise(std::span<const std::optional<double>> bits_per_weight) {
  const auto order = precision_order(bits_per_weight);
  return order.empty() ? 0 : order.front();
}

}  // namespace medq
