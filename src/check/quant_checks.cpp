#include "medq/check/quant_checks.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "medq/io/checked.hpp"
#include "medq/model/config_json.hpp"
#include "medq/model/tensor_layout.hpp"
#include "tensor_index.hpp"

namespace medq {
namespace {

using detail::ends_with;
using detail::format_shape;
using detail::TensorIndex;

std::string list_schemes(const std::vector<QuantScheme>& v) {
  if (v.empty()) return "no supported (bits, group_size) fits these shapes";
  std::string s = "the shapes fit ";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s += i + 1 == v.size() ? " or " : ", ";
    s += describe_scheme(v[i]);
  }
  return s;
}

/// Collects findings; the same failure on many modules becomes one finding with a count.
class Collector {
 public:
  explicit Collector(std::string config_label) : config_(std::move(config_label)) {}

  void tensor(std::string_view code, std::string_view tensor, std::string message) {
    Finding f;
    f.code = std::string(code);
    f.where.tensor = std::string(tensor);
    f.message = std::move(message);
    out_.push_back(std::move(f));
  }
  void config(std::string_view code, Severity sev, std::string pointer, std::string_view tensor,
              std::string message) {
    Finding f;
    f.code = std::string(code);
    f.severity = sev;
    f.where.file = config_;
    f.where.json_pointer = std::move(pointer);
    f.where.tensor = std::string(tensor);
    f.message = std::move(message);
    out_.push_back(std::move(f));
  }
  /// A config-level finding grouped by `key`: the first message is kept and the count appended.
  void grouped(const std::string& key, std::string_view code, std::string pointer,
               std::string_view tensor, std::string message) {
    auto [it, fresh] = groups_.try_emplace(key);
    if (fresh) {
      it->second.index = out_.size();
      config(code, Severity::kError, std::move(pointer), tensor, std::move(message));
    }
    ++it->second.count;
  }
  Findings finish() {
    for (auto& [key, g] : groups_) {
      if (g.count > 1) {
        out_[g.index].message +=
            fmt::format(" ({} modules fail the same way; this is the first)", g.count);
      }
    }
    return std::move(out_);
  }

 private:
  struct Group {
    size_t index = 0;
    uint64_t count = 0;
  };
  std::string config_;
  Findings out_;
  std::map<std::string, Group> groups_;
};

struct Context {
  const TensorLayout& layout;
  const TensorIndex& idx;
  const std::optional<QuantConfig>& quant;
  Collector& c;
  /// For each float dtype, the modules whose `.scales` and `.biases` both have it: when one
  /// module's pair disagrees, the rest of the model says which of the two is the odd one.
  std::map<Dtype, uint64_t> agreeing_pairs;
};

std::map<Dtype, uint64_t> count_agreeing_pairs(std::span<const TensorInfo> tensors,
                                               const TensorIndex& idx) {
  std::map<Dtype, uint64_t> out;
  for (const TensorInfo& t : tensors) {
    if (!ends_with(t.name, ".scales")) continue;
    const std::string_view module = std::string_view(t.name).substr(0, t.name.size() - 7);
    const TensorInfo* b = idx.find(module, ".biases");
    if (b != nullptr && b->dtype == t.dtype) ++out[t.dtype];
  }
  return out;
}

/// The architecture's logical input size for `module`, when known.
std::optional<uint64_t> expected_in(const Context& x, const std::string& weight_name, size_t rank,
                                    const ExpectedTensor** entry) {
  *entry = nullptr;
  if (!x.layout.known) return std::nullopt;
  const LayoutMatch m = match_tensor(x.layout, weight_name);
  *entry = m.entry;
  if (m.entry == nullptr || m.entry->shape.size() != rank || m.entry->shape.back() == 0) {
    return std::nullopt;
  }
  return m.entry->shape.back();
}

/// Scales/biases dtypes and shapes for the mode the scales' dtype or the scheme implies.
void check_companions(const Context& x, QuantMode mode, const TensorInfo& scales,
                      const TensorInfo* biases) {
  if (mode == QuantMode::kAffine) {
    if (scales.dtype != Dtype::F16 && scales.dtype != Dtype::BF16 && scales.dtype != Dtype::F32) {
      x.c.tensor("quant.scales_dtype", scales.name,
                 fmt::format("affine scales must be F16, BF16 or F32 (the weight's float type); "
                             "found {}",
                             dtype_name(scales.dtype)));
    }
    if (biases == nullptr) {
      x.c.tensor("quant.missing_biases", scales.name,
                 "affine quantization must store .biases next to .scales; found none");
      return;
    }
    if (biases->dtype != scales.dtype) {
      // The odd one out is the tensor whose dtype fewer of the other modules use.
      auto uses = [&](Dtype d) {
        auto it = x.agreeing_pairs.find(d);
        return it == x.agreeing_pairs.end() ? uint64_t{0} : it->second;
      };
      const uint64_t with_scales = uses(scales.dtype), with_biases = uses(biases->dtype);
      if (with_biases > with_scales) {
        x.c.tensor("quant.scales_dtype", scales.name,
                   fmt::format("scales are {} while their biases are {}, as are the scales and "
                               "biases of {} other module{} ({} use {})",
                               dtype_name(scales.dtype), dtype_name(biases->dtype), with_biases,
                               with_biases == 1 ? "" : "s", with_scales, dtype_name(scales.dtype)));
      } else if (with_scales > 0) {
        x.c.tensor(
            "quant.biases_dtype", biases->name,
            fmt::format("biases are {} while their scales are {}, as are the scales and "
                        "biases of {} other module{} ({} use {})",
                        dtype_name(biases->dtype), dtype_name(scales.dtype), with_scales,
                        with_scales == 1 ? "" : "s", with_biases, dtype_name(biases->dtype)));
      } else {
        x.c.tensor("quant.biases_dtype", biases->name,
                   fmt::format("biases must have the scales' dtype {}; found {}",
                               dtype_name(scales.dtype), dtype_name(biases->dtype)));
      }
    }
    if (biases->shape != scales.shape) {
      x.c.tensor("quant.scales_shape", biases->name,
                 fmt::format("biases must have the scales' shape {}; found {}",
                             format_shape(scales.shape), format_shape(biases->shape)));
    }
    return;
  }
  if (scales.dtype != Dtype::U8) {
    x.c.tensor("quant.scales_dtype", scales.name,
               fmt::format("{} scales must be U8; found {}", quant_mode_name(mode),
                           dtype_name(scales.dtype)));
  }
  if (biases != nullptr) {
    x.c.tensor("quant.unexpected_biases", biases->name,
               fmt::format("{} quantization has no biases (MLX rejects them); found {}",
                           quant_mode_name(mode), format_shape(biases->shape)));
  }
}

struct Unconfigured {
  uint64_t count = 0;
  std::string first;
  std::vector<QuantScheme> fits;
};

/// One module stored packed (it has `.scales`).
void check_module(const Context& x, const std::string& module, const TensorInfo& scales,
                  Unconfigured& unconfigured) {
  const std::string weight_name = module + ".weight";
  const TensorInfo* w = x.idx.find(weight_name);
  const TensorInfo* biases = x.idx.find(module, ".biases");
  if (w == nullptr) {
    x.c.tensor("quant.orphan_tensor", scales.name,
               fmt::format("{} must come with the packed weight {}; found no weight", scales.name,
                           weight_name));
    return;
  }
  const ExpectedTensor* entry = nullptr;
  const auto want = expected_in(x, weight_name, w->shape.size(), &entry);
  if (entry != nullptr && !entry->quantizable) {
    x.c.tensor("quant.not_quantizable", scales.name,
               fmt::format("{} is not a Linear/Embedding weight, so the loader never quantizes it "
                           "and a strict load rejects its .scales; found them",
                           weight_name));
    return;
  }
  if (w->dtype != Dtype::U32) {
    x.c.tensor(
        "quant.weight_dtype", weight_name,
        fmt::format("a weight with .scales must be packed U32; found {}", dtype_name(w->dtype)));
    return;
  }
  if (w->shape.size() < 2 || scales.shape.size() != w->shape.size() ||
      !std::equal(w->shape.begin(), w->shape.end() - 1, scales.shape.begin())) {
    x.c.tensor("quant.scales_shape", scales.name,
               fmt::format("scales must be [leading dims of the weight {}, in/group_size]; found "
                           "{}",
                           format_shape(w->shape), format_shape(scales.shape)));
    return;
  }
  const uint64_t packed = w->shape.back(), scols = scales.shape.back();
  const bool fp = scales.dtype == Dtype::U8;
  std::vector<QuantScheme> fits = consistent_schemes(packed, scols, fp, want);
  if (fits.empty() && want) fits = consistent_schemes(packed, scols, fp);
  if (!x.quant) {
    if (unconfigured.count++ == 0) {
      unconfigured.first = weight_name;
      unconfigured.fits = fits;
    }
    check_companions(x, fp ? QuantMode::kMxfp4 : QuantMode::kAffine, scales, biases);
    return;
  }
  const auto ov = x.quant->overrides.find(module);
  const bool overridden = ov != x.quant->overrides.end();
  const std::string pointer =
      overridden ? detail::json_pointer(x.quant->pointer, module) : x.quant->pointer;
  const std::optional<QuantScheme> scheme = x.quant->resolve_scheme(module, true, true);
  if (!scheme) {
    x.c.config("quant.override_contradicted", Severity::kError, pointer, weight_name,
               fmt::format("{} is false in the quantization config, so the loader keeps {} float "
                           "and rejects its packed weight and scales; found it stored packed "
                           "({})",
                           module, module, list_schemes(fits)));
    return;
  }
  check_companions(x, scheme->mode, scales, biases);
  const std::string origin = overridden ? "the override for " + module : "the global config";
  const auto in_w = unpacked_cols(packed, scheme->bits);
  const auto in_s = checked_mul(scols, scheme->group_size);
  const std::string code = overridden ? "quant.override_mismatch" : "quant.scheme_mismatch";
  const std::string key = code + "|" + describe_scheme(*scheme) + "|" + list_schemes(fits);
  if (!in_w || !in_s || *in_w != *in_s) {
    x.c.grouped(key + "|packing", overridden ? code : "quant.packed_shape_mismatch", pointer,
                weight_name,
                fmt::format("{} ({}) must unpack the packed columns to the scales' coverage: "
                            "{} x 32 / {} vs {} x {}; found {} vs {}; {}",
                            describe_scheme(*scheme), origin, packed, scheme->bits, scols,
                            scheme->group_size,
                            in_w ? std::to_string(*in_w)
                                 : fmt::format("{:.2f}", static_cast<double>(packed) * 32.0 /
                                                             std::max(1u, scheme->bits)),
                            in_s ? std::to_string(*in_s) : "an overflow", list_schemes(fits)));
    return;
  }
  if (want && *in_w != *want && !consistent_schemes(packed, scols, fp, want).empty()) {
    x.c.grouped(key, code, pointer, weight_name,
                fmt::format("{} ({}) must unpack {} to the {} input columns the architecture "
                            "expects ({}); found {}; {}",
                            describe_scheme(*scheme), origin, weight_name, *want,
                            entry != nullptr ? entry->formula : std::string("?"), *in_w,
                            list_schemes(fits)));
  }
  // Otherwise a wrong input size is the tensor's own fault: config.shape_mismatch reports it.
}

}  // namespace

Findings check_quantization(const Architecture& arch, std::span<const TensorInfo> tensors,
                            const std::optional<QuantConfig>& quant,
                            std::string_view config_label) {
  const TensorLayout layout = expected_layout(arch);
  const TensorIndex idx(tensors);
  Collector c{std::string(config_label)};
  const Context x{layout, idx, quant, c, count_agreeing_pairs(tensors, idx)};
  Unconfigured unconfigured;
  uint64_t packed_modules = 0;

  for (const TensorInfo& t : tensors) {
    const std::string_view name = t.name;
    if (ends_with(name, ".scales")) {
      ++packed_modules;
      check_module(x, std::string(name.substr(0, name.size() - 7)), t, unconfigured);
    } else if (ends_with(name, ".biases")) {
      const std::string_view module = name.substr(0, name.size() - 7);
      if (idx.find(module, ".scales") == nullptr) {
        c.tensor("quant.orphan_tensor", name,
                 fmt::format("{} must come with {}.scales; found no scales", name, module));
      }
    } else if (ends_with(name, ".weight") && t.dtype == Dtype::U32 &&
               idx.find(name.substr(0, name.size() - 7), ".scales") == nullptr) {
      c.tensor("quant.missing_scales", name,
               fmt::format("a U32 (packed) weight must come with {}.scales; found none",
                           name.substr(0, name.size() - 7)));
    }
  }

  if (!quant) {
    if (unconfigured.count > 0) {
      c.config(
          "quant.packed_without_config", Severity::kError, "", unconfigured.first,
          fmt::format("config.json must declare quantization (bits, group_size, mode) for "
                      "the {} modules stored packed, first {}; found no quantization or "
                      "quantization_config; {}",
                      unconfigured.count, unconfigured.first, list_schemes(unconfigured.fits)));
    }
    return c.finish();
  }
  // No tensor could be read (the weights are absent, LFS pointers or unreadable): there is
  // nothing to compare the config with, and the findings about the weight files say why.
  if (tensors.empty()) return c.finish();
  bool has_dict_override = false;
  for (const auto& [path, scheme] : quant->overrides) {
    if (!scheme) continue;
    has_dict_override = true;
    if (idx.find(path, ".scales") != nullptr) continue;
    const TensorInfo* w = idx.find(path, ".weight");
    const std::string pointer = detail::json_pointer(quant->pointer, path);
    if (w != nullptr) {
      c.config("quant.override_not_packed", Severity::kError, pointer, w->name,
               fmt::format("{} must be stored packed because its quantization entry makes the "
                           "loader quantize it ({}); found {} {} without .scales",
                           path, describe_scheme(*scheme), dtype_name(w->dtype),
                           format_shape(w->shape)));
    } else {
      c.config("quant.override_unknown_module", Severity::kWarning, pointer, "",
               fmt::format("quantization entries must name modules of the model; found {}, which "
                           "has no tensors (the loader ignores it)",
                           path));
    }
  }
  if (packed_modules == 0 && !has_dict_override) {
    c.config("quant.config_without_packed", Severity::kWarning, quant->pointer, "",
             fmt::format("a model with a quantization config ({}) should store packed weights "
                         "(U32 + .scales); found none, so the loader runs it unquantized",
                         describe_scheme(quant->global)));
  }
  return c.finish();
}

}  // namespace medq
