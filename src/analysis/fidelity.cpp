#include "medq/analysis/fidelity.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "medq/data/decode.hpp"
#include "medq/data/tensor_reader.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/util/parallel.hpp"

namespace medq {

void ErrorSums::add(const ErrorSums& o) {
  ref2 += o.ref2;
  var2 += o.var2;
  dot += o.dot;
  err2 += o.err2;
  max_abs = std::max(max_abs, o.max_abs);
  count += o.count;
  non_finite += o.non_finite;
}

std::optional<double> ErrorSums::rel_rms() const {
  if (ref2 <= 0) return std::nullopt;
  return std::sqrt(err2 / ref2);
}

std::optional<double> ErrorSums::cosine() const {
  if (ref2 <= 0 || var2 <= 0) return std::nullopt;
  return dot / std::sqrt(ref2 * var2);
}

std::optional<double> ErrorSums::snr_db() const {
  if (err2 <= 0 || ref2 <= 0) return std::nullopt;
  return 10.0 * std::log10(ref2 / err2);
}

namespace {

constexpr uint64_t kBlockFloats = 1u << 20;  ///< values per block and side (4 MiB of floats)

std::string storage(const LogicalTensor& t) {
  return t.quantized() ? describe_scheme(*t.scheme) : std::string(dtype_name(t.data.info->dtype));
}

struct Pair {
  const LogicalTensor* ref = nullptr;
  const LogicalTensor* var = nullptr;
  /// The reference is a convolution stored OIHW and the variant OHWI (or the other way): each
  /// row of the reference is permuted into the variant's order before comparing.
  bool permute = false;
};

/// A tensor's shape with a convolution given channels-last ([out, kh, kw, in]).
std::vector<uint64_t> canonical_shape(const LogicalTensor& t) {
  if (t.conv == ConvOrder::kOihw && t.shape.size() == 4) {
    return {t.shape[0], t.shape[2], t.shape[3], t.shape[1]};
  }
  return t.shape;
}

/// Reorders a whole convolution weight of shape `shape` (in `from`'s order) into the other order
/// (OIHW <-> OHWI).
std::vector<float> permute_conv(const std::vector<float>& v, const std::vector<uint64_t>& shape,
                                ConvOrder from) {
  const uint64_t o = shape[0], a = shape[1], b = shape[2], c = shape[3];
  std::vector<float> out(v.size());
  for (uint64_t n = 0; n < o; ++n) {
    for (uint64_t i = 0; i < a; ++i) {
      for (uint64_t j = 0; j < b; ++j) {
        for (uint64_t k = 0; k < c; ++k) {
          // OIHW [i=in, j=kh, k=kw] -> OHWI [kh][kw][in]; OHWI [i=kh, j=kw, k=in] -> OIHW.
          const uint64_t dst = from == ConvOrder::kOihw ? (j * c + k) * a + i : (k * a + i) * b + j;
          out[n * a * b * c + dst] = v[((n * a + i) * b + j) * c + k];
        }
      }
    }
  }
  return out;
}

/// A convolution is compared whole (its rows are laid out differently in the two orders); one
/// larger than this is not transposed.
constexpr uint64_t kMaxConvFloats = 64u << 20;

bool readable(const LogicalTensor& t) {
  if (!t.data.file->header.ok()) return false;
  if (t.scales && !t.scales->file->header.ok()) return false;
  if (t.biases && !t.biases->file->header.ok()) return false;
  return true;
}

ErrorSums compare_tensor(const Validation& rv, const Validation& vv, const Pair& p,
                         std::string* err, const std::function<void(uint64_t)>& advance) {
  ErrorSums s;
  auto r = TensorReader::open(*rv.dir.storage, *p.ref, err);
  if (!r) return s;
  auto v = TensorReader::open(*vv.dir.storage, *p.var, err);
  if (!v) return s;
  if (p.permute) {
    if (p.ref->params > kMaxConvFloats) {
      *err = "convolution too large to transpose";
      return s;
    }
  } else if (r->rows() != v->rows() || r->cols() != v->cols()) {
    *err = "row layouts differ";
    return s;
  }
  std::vector<float> a, b;
  const uint64_t step = p.permute ? r->rows() : r->rows_per_block(kBlockFloats);
  for (uint64_t row = 0; row < r->rows(); row += step) {
    if (!r->read_rows(row, step, a, err) ||
        !v->read_rows(row, p.permute ? v->rows() : step, b, err)) {
      return s;
    }
    if (p.permute) a = permute_conv(a, p.ref->shape, *p.ref->conv);
    // Sums in double per block, then added: accurate and independent of thread timing.
    double ref2 = 0, var2 = 0, dot = 0, err2 = 0, max_abs = 0;
    uint64_t bad = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double x = a[i], y = b[i];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        ++bad;
        continue;
      }
      const double d = x - y;
      ref2 += x * x;
      var2 += y * y;
      dot += x * y;
      err2 += d * d;
      max_abs = std::max(max_abs, std::fabs(d));
    }
    ErrorSums block{ref2, var2, dot, err2, max_abs, a.size() - bad, bad};
    s.add(block);
    advance(p.var->stored_bytes() * std::min(step, r->rows() - row) /
            std::max<uint64_t>(r->rows(), 1));
  }
  return s;
}

void summarize(FidelitySummary& sum, const TensorFidelity& t, double& wrel, double& wcos,
               uint64_t& wrel_n, uint64_t& wcos_n) {
  ++sum.tensors;
  sum.params += t.params;
  sum.pooled.add(t.sums);
  if (auto r = t.sums.rel_rms()) {
    wrel += *r * static_cast<double>(t.params);
    wrel_n += t.params;
  }
  if (auto c = t.sums.cosine()) {
    wcos += *c * static_cast<double>(t.params);
    wcos_n += t.params;
  }
}

}  // namespace

VariantFidelity measure_fidelity(const Validation& reference, const Validation& variant,
                                 std::string reference_label, std::string variant_label,
                                 const FidelityOptions& options) {
  VariantFidelity out;
  out.label = std::move(variant_label);
  out.reference = std::move(reference_label);
  const LogicalTensors rts = logical_tensors(reference.checkpoint, reference.quant, reference.arch);
  const LogicalTensors vts = logical_tensors(variant.checkpoint, variant.quant, variant.arch);

  // Paired by logical name, so that an MLX variant meets a transformers reference module by
  // module.
  std::map<std::string_view, const LogicalTensor*> ref_by_name;
  for (const auto& t : rts.tensors) ref_by_name.emplace(t.logical_name, &t);
  // MLX's separate lm_head copy against a tied reference, which stores none: the reference's
  // output projection is its embedding.
  const bool ref_tied = reference.arch && reference.arch->text.tie_word_embeddings.known() &&
                        reference.arch->text.tie_word_embeddings.value;
  auto tied_embedding = [&](std::string_view name) -> const LogicalTensor* {
    constexpr std::string_view kHead = "lm_head.weight";
    if (!ref_tied || !name.ends_with(kHead)) return nullptr;
    const std::string root(name.substr(0, name.size() - kHead.size()));
    auto it = ref_by_name.find(root + "model.embed_tokens.weight");
    return it == ref_by_name.end() ? nullptr : it->second;
  };
  std::vector<Pair> pairs;
  std::set<std::string_view> in_variant;
  for (const auto& t : vts.tensors) {
    in_variant.insert(t.logical_name);
    auto it = ref_by_name.find(t.logical_name);
    const LogicalTensor* ref =
        it == ref_by_name.end() ? tied_embedding(t.logical_name) : it->second;
    if (ref == nullptr) {
      out.skipped.emplace_back(t.name, "not in the reference");
    } else if (canonical_shape(*ref) != canonical_shape(t)) {
      out.skipped.emplace_back(t.name, "logical shapes differ");
    } else if (!readable(t) || !readable(*ref)) {
      out.skipped.emplace_back(t.name, "its weight file is invalid");
    } else if (!t.quantized() && !decodable_float(t.data.info->dtype)) {
      out.skipped.emplace_back(t.name, "not a float tensor");
    } else if (!ref->quantized() && !decodable_float(ref->data.info->dtype)) {
      out.skipped.emplace_back(t.name, "not a float tensor in the reference");
    } else {
      pairs.push_back(
          {ref, &t, ref->conv.has_value() && t.conv.has_value() && *ref->conv != *t.conv});
    }
  }
  for (const auto& t : rts.tensors) {
    if (!in_variant.count(t.logical_name)) out.skipped.emplace_back(t.name, "not in the variant");
  }
  std::sort(out.skipped.begin(), out.skipped.end());

  // Largest first over the worker threads.
  std::vector<size_t> order(pairs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pairs[a].var->params > pairs[b].var->params; });
  uint64_t total = 0;
  for (const auto& p : pairs) total += p.var->stored_bytes();
  std::atomic<uint64_t> done{0};
  auto advance = [&](uint64_t n) {
    const uint64_t d = done += n;
    if (options.progress) options.progress(d, total);
  };

  std::vector<TensorFidelity> results(pairs.size());
  std::vector<std::string> errors(pairs.size());
  parallel_for(order.size(), options.threads, [&](size_t k) {
    const Pair& p = pairs[order[k]];
    TensorFidelity& tf = results[order[k]];
    tf.name = p.var->name;
    tf.part = model_part_of(tf.name);
    tf.params = p.var->params;
    tf.reference_storage = storage(*p.ref);
    tf.variant_storage = storage(*p.var);
    tf.sums = compare_tensor(reference, variant, p, &errors[order[k]], advance);
  });

  double wrel = 0, wcos = 0;
  uint64_t wrel_n = 0, wcos_n = 0;
  std::map<ModelPart, std::tuple<double, double, uint64_t, uint64_t>> part_w;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!errors[i].empty()) {
      out.read_errors.push_back(results[i].name + ": " + errors[i]);
      continue;
    }
    const TensorFidelity& t = results[i];
    summarize(out.overall, t, wrel, wcos, wrel_n, wcos_n);
    auto& [pr, pc, prn, pcn] = part_w[t.part];
    summarize(out.parts[t.part], t, pr, pc, prn, pcn);
    out.tensors.push_back(t);
  }
  if (wrel_n) out.overall.mean_rel_rms = wrel / static_cast<double>(wrel_n);
  if (wcos_n) out.overall.mean_cosine = wcos / static_cast<double>(wcos_n);
  for (auto& [part, w] : part_w) {
    auto& [pr, pc, prn, pcn] = w;
    if (prn) out.parts[part].mean_rel_rms = pr / static_cast<double>(prn);
    if (pcn) out.parts[part].mean_cosine = pc / static_cast<double>(pcn);
  }
  std::sort(out.read_errors.begin(), out.read_errors.end());
  std::sort(out.tensors.begin(), out.tensors.end(),
            [](const TensorFidelity& a, const TensorFidelity& b) { return a.name < b.name; });
  return out;
}

}  // namespace medq
