#include "medq/model/logical_tensors.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "medq/io/checked.hpp"
#include "medq/model/tensor_layout.hpp"

namespace medq {

uint64_t StoredTensor::file_offset() const {
  const SafetensorsHeader* h = file->header.readable_header();
  return (h ? h->data_start() : 0) + info->begin;
}

uint64_t LogicalTensor::stored_bytes() const {
  uint64_t n = data.info->nbytes();
  if (scales) n += scales->info->nbytes();
  if (biases) n += biases->info->nbytes();
  return n;
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Unpacked {
  std::optional<QuantScheme> scheme;
  bool from_shapes = false;
};

/// How a packed `.weight` unpacks: the scheme the loader would use when the shapes agree with
/// it, else the scheme the shapes (and the expected input size) are consistent with.
Unpacked unpack_scheme(const std::optional<QuantConfig>& quant, const TensorLayout* layout,
                       std::string_view module, const TensorInfo& weight,
                       const TensorInfo& scales) {
  Unpacked u;
  if (weight.shape.empty() || scales.shape.empty()) return u;
  const uint64_t packed = weight.shape.back();
  const uint64_t scols = scales.shape.back();
  const bool fp = scales.dtype == Dtype::U8;
  auto agrees = [&](const QuantScheme& s) {
    auto in = unpacked_cols(packed, s.bits);
    return in && *in == scols * s.group_size && (s.mode != QuantMode::kAffine) == fp;
  };
  if (quant) {
    auto s = quant->resolve_scheme(module, true, true);
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
  // configured mode and bits, then MLX's default group size for the mode.
  auto rank = [&](const QuantScheme& f) {
    int r = 0;
    if (!quant || f.bits != quant->global.bits || f.mode != quant->global.mode) r += 2;
    if (f.group_size != default_scheme(f.mode).group_size) r += 1;
    return r;
  };
  for (const auto& f : fits) {
    if (!u.scheme || rank(f) < rank(*u.scheme)) u.scheme = f;
  }
  u.from_shapes = true;
  return u;
}

std::optional<uint64_t> product(const std::vector<uint64_t>& shape) {
  uint64_t n = 1;
  for (uint64_t d : shape) {
    auto m = checked_mul(n, d);
    if (!m) return std::nullopt;
    n = *m;
  }
  return n;
}

}  // namespace

LogicalTensors logical_tensors(const Checkpoint& cp, const std::optional<QuantConfig>& quant,
                               const std::optional<Architecture>& arch) {
  LogicalTensors out;
  const auto duplicates = cp.duplicate_files();
  for (const auto& [name, others] : duplicates) out.duplicate_files.push_back(name);

  std::map<std::string, StoredTensor, std::less<>> by_name;
  for (const auto& wf : cp.files) {
    if (duplicates.count(wf.name)) continue;
    const SafetensorsHeader* h = wf.header.readable_header();
    if (!h) continue;
    for (const auto& t : h->tensors) by_name.emplace(t.name, StoredTensor{&t, &wf});
  }
  out.layout = detect_layout(cp, arch);
  std::optional<TensorLayout> layout;
  if (arch) layout = expected_layout(*arch, out.layout.kind);
  const TensorLayout* lay = layout && layout->known ? &*layout : nullptr;

  // A module is packed when its .weight is U32 and it has .scales.
  auto packed_module = [&](std::string_view name,
                           std::string_view suffix) -> std::optional<std::string> {
    if (!ends_with(name, suffix)) return std::nullopt;
    std::string m(name.substr(0, name.size() - suffix.size()));
    auto w = by_name.find(m + ".weight");
    if (w == by_name.end() || w->second.info->dtype != Dtype::U32) return std::nullopt;
    if (!by_name.count(m + ".scales")) return std::nullopt;
    return m;
  };

  for (const auto& [name, st] : by_name) {
    if (packed_module(name, ".scales") || packed_module(name, ".biases")) continue;
    LogicalTensor lt;
    lt.name = name;
    lt.logical_name = out.layout.names.to_logical(name);
    if (ends_with(lt.logical_name, "patch_embedding.weight") && st.info->shape.size() == 4) {
      lt.conv = out.layout.conv;
    }
    lt.data = st;
    lt.shape = st.info->shape;
    if (auto m = packed_module(name, ".weight")) {
      lt.scales = by_name.at(*m + ".scales");
      if (auto b = by_name.find(*m + ".biases"); b != by_name.end()) lt.biases = b->second;
      Unpacked u = unpack_scheme(quant, lay, *m, *st.info, *lt.scales->info);
      if (u.scheme) {
        if (auto shape = logical_shape(st.info->shape, u.scheme->bits); shape && product(*shape)) {
          lt.scheme = u.scheme;
          lt.scheme_from_shapes = u.from_shapes;
          lt.shape = *shape;
        }
      }
    }
    // The stored shape's product is bounded by the header checks; an unpacked one is checked.
    lt.params = product(lt.shape).value_or(0);
    out.tensors.push_back(std::move(lt));
  }
  return out;
}

}  // namespace medq
