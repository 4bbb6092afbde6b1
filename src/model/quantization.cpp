#include "medq/model/quantization.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "medq/io/checked.hpp"
#include "medq/model/config_json.hpp"

namespace medq {

std::string_view quant_mode_name(QuantMode m) {
  switch (m) {
    case QuantMode::kAffine:
      return "affine";
    case QuantMode::kMxfp4:
      return "mxfp4";
    case QuantMode::kMxfp8:
      return "mxfp8";
    case QuantMode::kNvfp4:
      return "nvfp4";
  }
  return "affine";
}

std::optional<QuantMode> parse_quant_mode(std::string_view s) {
  if (s == "affine") return QuantMode::kAffine;
  if (s == "mxfp4") return QuantMode::kMxfp4;
  if (s == "mxfp8") return QuantMode::kMxfp8;
  if (s == "nvfp4") return QuantMode::kNvfp4;
  return std::nullopt;
}

std::string describe_scheme(const QuantScheme& s) {
  if (s.mode == QuantMode::kAffine) return fmt::format("affine {}-bit g{}", s.bits, s.group_size);
  return fmt::format("{} ({}-bit g{})", quant_mode_name(s.mode), s.bits, s.group_size);
}

QuantScheme default_scheme(QuantMode m) {
  switch (m) {
    case QuantMode::kAffine:
      return {m, 4, 64};
    case QuantMode::kMxfp4:
      return {m, 4, 32};
    case QuantMode::kMxfp8:
      return {m, 8, 32};
    case QuantMode::kNvfp4:
      return {m, 4, 16};
  }
  return {};
}

namespace {
constexpr std::array<unsigned, 6> kAffineBits{2, 3, 4, 5, 6, 8};
constexpr std::array<unsigned, 3> kAffineGroups{32, 64, 128};

const std::vector<QuantScheme>& scheme_table() {
  static const std::vector<QuantScheme> t = [] {
    std::vector<QuantScheme> v;
    for (unsigned b : kAffineBits) {
      for (unsigned g : kAffineGroups) v.push_back({QuantMode::kAffine, b, g});
    }
    for (QuantMode m : {QuantMode::kMxfp4, QuantMode::kMxfp8, QuantMode::kNvfp4}) {
      v.push_back(default_scheme(m));
    }
    return v;
  }();
  return t;
}

std::string allowed_bits(QuantMode m) {
  return m == QuantMode::kAffine ? "2, 3, 4, 5, 6 or 8" : std::to_string(default_scheme(m).bits);
}
std::string allowed_groups(QuantMode m) {
  return m == QuantMode::kAffine ? "32, 64 or 128" : std::to_string(default_scheme(m).group_size);
}
}  // namespace

bool scheme_supported(const QuantScheme& s) {
  for (const QuantScheme& t : scheme_table()) {
    if (t == s) return true;
  }
  return false;
}

std::span<const QuantScheme> all_schemes() { return scheme_table(); }

std::optional<QuantScheme> QuantConfig::resolve_scheme(std::string_view module_path,
                                                       bool has_scales, bool quantizable) const {
  if (auto it = overrides.find(module_path); it != overrides.end()) return it->second;
  if (!quantizable || !has_scales) return std::nullopt;
  return global;
}

namespace {

using detail::FindingSink;
using nlohmann::json;

/// Reads bits and group_size of one dict for `mode`; missing values take the mode's defaults
/// (`_defaults_for_mode`), or are reported when `required` (the top-level dict: mlx-lm indexes
/// quantization["bits"] and ["group_size"] directly).
QuantScheme read_scheme(const json& d, const std::string& ptr, QuantMode mode, bool required,
                        const FindingSink& sink) {
  QuantScheme s = default_scheme(mode);
  for (const char* key : {"bits", "group_size"}) {
    const std::string p = detail::json_pointer(ptr, key);
    const bool is_bits = key[0] == 'b';
    uint64_t v = 0;
    const auto st = detail::read_positive(d, key, p, FindingSink{}, v);
    if (st == detail::ReadStatus::kAbsent) {
      if (required) {
        sink.add("quant.missing_key", Severity::kError, p,
                 fmt::format("{} is required in the quantization dict (mlx-lm's load_model reads "
                             "it without a default); found no key",
                             key));
      }
      continue;
    }
    const auto it = d.find(key);
    if (st == detail::ReadStatus::kBad) {
      sink.add(
          "quant.wrong_type", Severity::kError, p,
          fmt::format("{} must be a positive integer; found {}", key, detail::describe_json(*it)));
      continue;
    }
    QuantScheme trial = s;
    (is_bits ? trial.bits : trial.group_size) =
        static_cast<unsigned>(std::min<uint64_t>(v, 1u << 20));
    const bool ok =
        mode == QuantMode::kAffine
            ? (is_bits ? std::find(kAffineBits.begin(), kAffineBits.end(), v) != kAffineBits.end()
                       : std::find(kAffineGroups.begin(), kAffineGroups.end(), v) !=
                             kAffineGroups.end())
            : v == (is_bits ? s.bits : s.group_size);
    if (!ok) {
      sink.add(is_bits ? "quant.invalid_bits" : "quant.invalid_group_size", Severity::kError, p,
               fmt::format("{} for mode {} must be {}; found {}", key, quant_mode_name(mode),
                           is_bits ? allowed_bits(mode) : allowed_groups(mode), v));
    }
    s = trial;
  }
  return s;
}

QuantMode read_mode(const json& d, const std::string& ptr, const FindingSink& sink) {
  const auto it = d.find("mode");
  if (it == d.end() || it->is_null()) return QuantMode::kAffine;  // B.6: missing mode = affine
  const std::string p = detail::json_pointer(ptr, "mode");
  if (!it->is_string()) {
    sink.add("quant.wrong_type", Severity::kError, p,
             fmt::format("mode must be a string; found {}", detail::describe_json(*it)));
    return QuantMode::kAffine;
  }
  const auto m = parse_quant_mode(it->get_ref<const std::string&>());
  if (!m) {
    sink.add("quant.invalid_mode", Severity::kError, p,
             fmt::format("mode must be affine, mxfp4, mxfp8 or nvfp4; found {}",
                         detail::describe_json(*it)));
    return QuantMode::kAffine;
  }
  return *m;
}

QuantConfig parse_mlx_dict(const json& d, const std::string& ptr, const FindingSink& sink) {
  QuantConfig c;
  c.pointer = ptr;
  const QuantMode mode = read_mode(d, ptr, sink);
  c.global = read_scheme(d, ptr, mode, true, sink);
  for (const auto& [key, value] : d.items()) {
    if (key == "bits" || key == "group_size" || key == "mode") continue;
    const std::string p = detail::json_pointer(ptr, key);
    if (value.is_boolean()) {
      // class_predicate returning False keeps the module float; True quantizes with the globals.
      c.overrides[key] = value.get<bool>() ? std::optional(c.global) : std::nullopt;
    } else if (value.is_object()) {
      // An override dict without "mode" means affine even when the global mode differs (B.6).
      const QuantMode m = read_mode(value, p, sink);
      c.overrides[key] = read_scheme(value, p, m, false, sink);
    }
    // Other scalars (e.g. an HF "quant_method") are not module entries; the loader ignores them.
  }
  return c;
}

struct Candidate {
  const json* dict = nullptr;
  std::string pointer;
};

Candidate find_dict(const json& config, const char* key, const std::string& prefix,
                    const FindingSink& sink) {
  Candidate c;
  c.pointer = detail::json_pointer(prefix, key);
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return c;
  if (!it->is_object()) {
    sink.add("quant.wrong_type", Severity::kError, c.pointer,
             fmt::format("{} must be an object; found {}", key, detail::describe_json(*it)));
    return c;
  }
  c.dict = &*it;
  return c;
}

/// An HF quantization_config from another tool (it has quant_method): mlx-lm maps a few methods
/// to MLX schemes on load (docs/formats.md §B.6) and repacks or rejects the rest.
std::optional<QuantConfig> parse_foreign(const json& d, const std::string& ptr,
                                         const FindingSink& sink) {
  const json& qm = d["quant_method"];
  const std::string method = qm.is_string() ? qm.get<std::string>() : qm.dump();
  QuantConfig c;
  c.pointer = ptr;
  if (method == "mxfp4") {
    c.global = default_scheme(QuantMode::kMxfp4);
    return c;
  }
  if (method == "compressed-tensors") {
    const auto f = d.find("format");
    const bool nv = f != d.end() && f->is_string() && *f == "nvfp4-pack-quantized";
    c.global = nv ? default_scheme(QuantMode::kNvfp4) : QuantScheme{QuantMode::kAffine, 4, 32};
    return c;
  }
  sink.add("quant.foreign_method", Severity::kWarning, detail::json_pointer(ptr, "quant_method"),
           fmt::format("quant_method must be one mlx-lm maps to an MLX scheme (mxfp4, "
                       "compressed-tensors) for the packed-weight checks; found \"{}\" (not "
                       "checked)",
                       method));
  return std::nullopt;
}

}  // namespace

QuantConfigResult parse_quantization(const nlohmann::json& config, std::string_view file_label) {
  QuantConfigResult r;
  if (!config.is_object()) return r;
  const FindingSink sink{std::string(file_label), &r.findings};
  const Candidate q = find_dict(config, "quantization", "", sink);
  Candidate qc = find_dict(config, "quantization_config", "", sink);
  if (qc.dict == nullptr && q.dict == nullptr) {
    const auto tc = config.find("text_config");
    if (tc != config.end() && tc->is_object()) {
      qc = find_dict(*tc, "quantization_config", "/text_config", sink);
    }
  }
  if (q.dict != nullptr) {
    r.config = parse_mlx_dict(*q.dict, q.pointer, sink);
    if (qc.dict != nullptr && !qc.dict->contains("quant_method")) {
      // mlx-lm writes quantization_config as an identical copy; the loader reads quantization,
      // other tools the copy, so a difference means they run different models.
      Findings ignored;
      const QuantConfig other = parse_mlx_dict(*qc.dict, qc.pointer, FindingSink{"", &ignored});
      if (other.global != r.config->global || other.overrides != r.config->overrides) {
        sink.add("quant.config_mismatch", Severity::kWarning, qc.pointer,
                 fmt::format("quantization_config must equal quantization (mlx-lm writes an "
                             "identical copy and reads quantization); found {} with {} "
                             "per-module entries vs {} with {}",
                             describe_scheme(other.global), other.overrides.size(),
                             describe_scheme(r.config->global), r.config->overrides.size()));
      }
    }
    return r;
  }
  if (qc.dict == nullptr) return r;
  if (qc.dict->contains("quant_method")) {
    r.config = parse_foreign(*qc.dict, qc.pointer, sink);
  } else {
    r.config = parse_mlx_dict(*qc.dict, qc.pointer, sink);
  }
  return r;
}

namespace {

// The quant_method of an HF quantization_config (top level, else text_config), when there is one.
std::optional<std::string> foreign_method(const json& config) {
  const json* holder = &config;
  if (!config.contains("quantization_config")) {
    const auto tc = config.find("text_config");
    if (tc == config.end() || !tc->is_object()) return std::nullopt;
    holder = &*tc;
  }
  const auto qc = holder->find("quantization_config");
  if (qc == holder->end() || !qc->is_object()) return std::nullopt;
  const auto m = qc->find("quant_method");
  if (m == qc->end()) return std::nullopt;
  return m->is_string() ? m->get<std::string>() : m->dump();
}

}  // namespace

std::string describe_quant_config(const json* config, const std::optional<QuantConfig>& q,
                                  QuantSummaryStyle style) {
  if (!config || !config->is_object()) return "unknown";
  if (!q) {
    const auto method = foreign_method(*config);
    return method ? *method + " (not an MLX scheme)" : "none";
  }
  std::string s = style == QuantSummaryStyle::kScheme
                      ? describe_scheme(q->global)
                      : fmt::format("{} {}-bit, group {}", quant_mode_name(q->global.mode),
                                    q->global.bits, q->global.group_size);
  if (const size_t n = q->overrides.size(); n > 0) {
    s += fmt::format(", {} per-module override{}", n, n == 1 ? "" : "s");
  }
  return s;
}

std::optional<uint64_t> unpacked_cols(uint64_t packed_cols, unsigned bits) {
  if (bits == 0) return std::nullopt;
  const auto total = checked_mul(packed_cols, 32);
  if (!total || *total % bits != 0) return std::nullopt;
  return *total / bits;
}

std::optional<std::vector<uint64_t>> logical_shape(std::span<const uint64_t> packed_shape,
                                                   unsigned bits) {
  if (packed_shape.size() < 2) return std::nullopt;  // MLX: a packed weight has ndim >= 2
  const auto in = unpacked_cols(packed_shape.back(), bits);
  if (!in) return std::nullopt;
  std::vector<uint64_t> s(packed_shape.begin(), packed_shape.end());
  s.back() = *in;
  return s;
}

double effective_bits_per_weight(const QuantScheme& s, Dtype scale_dtype) {
  if (s.group_size == 0) return 0;
  const double overhead =
      s.mode == QuantMode::kAffine ? 2.0 * dtype_bits(scale_dtype) : 8.0;  // scale (+ bias)
  return s.bits + overhead / s.group_size;
}

std::vector<QuantScheme> consistent_schemes(uint64_t packed_cols, uint64_t scales_cols,
                                            bool fp_scales, std::optional<uint64_t> expected_in) {
  std::vector<QuantScheme> out;
  for (const QuantScheme& s : scheme_table()) {
    if ((s.mode != QuantMode::kAffine) != fp_scales) continue;
    const auto in = unpacked_cols(packed_cols, s.bits);
    const auto from_scales = checked_mul(scales_cols, s.group_size);
    if (!in || !from_scales || *in != *from_scales) continue;
    if (expected_in && *in != *expected_in) continue;
    out.push_back(s);
  }
  return out;
}

}  // namespace medq
