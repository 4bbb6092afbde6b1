#include "weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "affine.hpp"
#include "bf16.hpp"
#include "fp_quant.hpp"
#include "rng.hpp"

namespace medq::synth {

namespace {

uint64_t product(const std::vector<uint64_t>& s) {
  uint64_t n = 1;
  for (uint64_t d : s) n *= d;
  return n;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());  // little-endian host
  return b;
}

std::vector<uint8_t> bf16_bytes(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = float_to_bf16(v[i]);
  return bytes_of(h);
}

OutTensor make(std::string name, Dtype dt, std::vector<uint64_t> shape) {
  OutTensor t;
  t.name = std::move(name);
  t.dtype = dt;
  t.shape = std::move(shape);
  t.nbytes = tensor_nbytes(t.dtype, t.shape);
  return t;
}

/// The values of a transformers convolution [out, in, kh, kw]: those of the MLX layout's
/// [out, kh, kw, in] tensor of the same name, transposed.
std::vector<float> oihw_values(const Param& p, uint64_t seed) {
  const uint64_t o = p.shape[0], c = p.shape[1], h = p.shape[2], w = p.shape[3];
  Param ohwi = p;
  ohwi.shape = {o, h, w, c};
  const std::vector<float> v = random_values(ohwi, seed);
  std::vector<float> out(v.size());
  for (uint64_t a = 0; a < o; ++a)
    for (uint64_t y = 0; y < h; ++y)
      for (uint64_t x = 0; x < w; ++x)
        for (uint64_t i = 0; i < c; ++i)
          out[((a * c + i) * h + y) * w + x] = v[((a * h + y) * w + x) * c + i];
  return out;
}

}  // namespace

std::vector<float> random_values(const Param& p, uint64_t seed) {
  Rng rng = Rng::for_name(seed, p.values_of.empty() ? p.name : p.values_of);
  const uint64_t n = product(p.shape);
  const uint64_t fan_in = p.shape.size() > 1 ? n / p.shape.front() : 1;
  double scale = 0, offset = 0;
  switch (p.init) {
    case Init::Linear:
    case Init::Conv:
      scale = 1.0 / std::sqrt(static_cast<double>(fan_in));
      break;
    case Init::Embedding:
      scale = 0.02;
      break;
    case Init::GemmaNorm:
      scale = 0.1;
      break;  // Gemma's RMSNorm multiplies by 1 + weight
    case Init::UnitNorm:
      scale = 0.05;
      offset = 1.0;
      break;
    case Init::Bias:
      scale = 0.02;
      break;
  }
  std::vector<float> v(n);
  for (float& x : v) x = round_bf16(static_cast<float>(offset + scale * rng.normal()));
  return v;
}

namespace {

/// Which tensor of a quantized module.
enum class Part { kWeight, kScales, kBiases };

/// A quantized module's parts, made once by whichever part is asked for first; the others wait
/// here for their turn (the writer's data order puts a module's parts apart), each dropped once
/// taken, so a streamed model holds at most the scales and biases not yet written.
struct QuantizedModule {
  Param p;
  QuantSpec q;
  uint64_t seed = 0;
  bool made = false;
  std::vector<uint8_t> parts[3];

  std::vector<uint8_t> take(Part part) {
    if (!made) {
      const std::vector<float> v = random_values(p, seed);
      const uint64_t in = p.shape.back();
      const uint64_t rows = product(p.shape) / in;
      if (q.mode == "affine") {
        AffineQuantized aq = quantize_affine(v, rows, in, q.bits, q.group_size);
        parts[0] = bytes_of(aq.packed);
        parts[1] = bytes_of(aq.scales);
        parts[2] = bytes_of(aq.biases);
      } else {
        const FpMode m = q.mode == "mxfp4"   ? FpMode::Mxfp4
                         : q.mode == "mxfp8" ? FpMode::Mxfp8
                                             : FpMode::Nvfp4;
        FpQuantized fq = quantize_fp(v, rows, in, m);
        parts[0] = bytes_of(fq.packed);
        parts[1] = std::move(fq.scales);
      }
      made = true;
    }
    return std::move(parts[static_cast<int>(part)]);
  }
};

/// Sets `t`'s bytes as `data` asks: now, later (a closure), or never.
void give_bytes(OutTensor& t, Data data, std::function<std::vector<uint8_t>()> make_bytes) {
  if (data == Data::kHeld) t.data = make_bytes();
  if (data == Data::kStreamed) t.produce = std::move(make_bytes);
}

}  // namespace

std::vector<OutTensor> materialize(const Arch& arch, const QuantPlan& plan, uint64_t seed,
                                   Data data) {
  std::vector<OutTensor> out;
  for (const Param& p : build_params(arch)) {
    const std::optional<QuantSpec> q = module_quant(plan, p);
    if (!q) {
      OutTensor t = make(p.name, Dtype::BF16, p.shape);
      give_bytes(t, data, [p, seed] {
        return bf16_bytes(p.oihw ? oihw_values(p, seed) : random_values(p, seed));
      });
      out.push_back(std::move(t));
      continue;
    }
    std::vector<uint64_t> wshape = p.shape, sshape = p.shape;
    const uint64_t in = p.shape.back();
    wshape.back() = in * q->bits / 32;
    sshape.back() = in / q->group_size;
    const bool affine = q->mode == "affine";
    OutTensor w = make(p.module + ".weight", Dtype::U32, wshape);
    OutTensor s = make(p.module + ".scales", affine ? Dtype::BF16 : Dtype::U8, sshape);
    OutTensor b = make(p.module + ".biases", Dtype::BF16, sshape);
    auto m = std::make_shared<QuantizedModule>();
    m->p = p;
    m->q = *q;
    m->seed = seed;
    give_bytes(w, data, [m] { return m->take(Part::kWeight); });
    give_bytes(s, data, [m] { return m->take(Part::kScales); });
    out.push_back(std::move(w));
    out.push_back(std::move(s));
    if (affine) {
      give_bytes(b, data, [m] { return m->take(Part::kBiases); });
      out.push_back(std::move(b));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const OutTensor& x, const OutTensor& y) { return x.name < y.name; });
  return out;
}

uint64_t logical_parameters(const std::vector<Param>& params) {
  uint64_t n = 0;
  for (const Param& p : params) n += product(p.shape);
  return n;
}

}  // namespace medq::synth
