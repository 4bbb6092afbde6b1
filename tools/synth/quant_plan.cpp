#include "quant_plan.hpp"

#include <stdexcept>

namespace medq::synth {

QuantPlan plan_affine(unsigned bits, unsigned group_size) {
  if (bits != 2 && bits != 3 && bits != 4 && bits != 5 && bits != 6 && bits != 8)
    throw std::invalid_argument("affine bits must be 2, 3, 4, 5, 6 or 8");
  if (group_size != 32 && group_size != 64 && group_size != 128)
    throw std::invalid_argument("affine group size must be 32, 64 or 128");
  QuantPlan p;
  p.global = QuantSpec{"affine", bits, group_size};
  return p;
}

QuantPlan plan_fp(const std::string& mode) {
  QuantPlan p;
  if (mode == "mxfp4")
    p.global = QuantSpec{mode, 4, 32};
  else if (mode == "mxfp8")
    p.global = QuantSpec{mode, 8, 32};
  else if (mode == "nvfp4")
    p.global = QuantSpec{mode, 4, 16};
  else
    throw std::invalid_argument("unknown mode '" + mode + "' (expected mxfp4, mxfp8 or nvfp4)");
  return p;
}

namespace {

// Layer index of a module path ("...layers.12.mlp..."), or -1.
long layer_index(const std::string& module) {
  const std::string key = "layers.";
  const size_t at = module.find(key);
  if (at == std::string::npos) return -1;
  return std::stol(module.substr(at + key.size()));
}

}  // namespace

QuantPlan plan_mixed(const std::string& recipe, const Arch& arch,
                     const std::vector<std::string>& skip) {
  unsigned lo = 0, hi = 0;
  if (recipe.size() == 9 && recipe.rfind("mixed_", 0) == 0 && recipe[7] == '_') {
    lo = static_cast<unsigned>(recipe[6] - '0');
    hi = static_cast<unsigned>(recipe[8] - '0');
  }
  const bool known = (lo == 2 && hi == 6) ||
                     (lo == 3 && (hi == 4 || hi == 5 || hi == 6 || hi == 8)) ||
                     (lo == 4 && (hi == 6 || hi == 8));
  if (!known)
    throw std::invalid_argument("unknown recipe '" + recipe +
                                "' (mixed_2_6, mixed_3_4, mixed_3_5, mixed_3_6, mixed_3_8, "
                                "mixed_4_6, mixed_4_8)");
  QuantPlan p = plan_affine(lo, 64);
  p.recipe = recipe;
  p.override_has_mode = arch.family == Family::Llama;  // mlx-lm writes mode, mlx-vlm does not
  const long n = static_cast<long>(arch.text.layers);
  for (const Param& prm : build_params(arch)) {
    if (!prm.quantizable || prm.name != prm.module + ".weight") continue;
    const long i = layer_index(prm.module);
    const bool more = i >= 0 && (i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2);
    const auto has = [&](const char* s) { return prm.module.find(s) != std::string::npos; };
    bool high = false;
    if ((has("v_proj") || has("down_proj")) && more) high = true;
    if (has("lm_head")) high = true;
    if (has("embed_tokens") && arch.family == Family::Gemma3) high = true;
    p.overrides[prm.module] = QuantSpec{"affine", high ? hi : lo, 64};
  }
  for (const std::string& s : skip) p.overrides[s] = std::nullopt;
  return p;
}

std::optional<QuantSpec> module_quant(const QuantPlan& plan, const Param& p) {
  if (!plan.global || !p.quantizable) return std::nullopt;
  std::optional<QuantSpec> q = plan.global;
  if (auto it = plan.overrides.find(p.module); it != plan.overrides.end()) q = it->second;
  // quantize_model leaves a layer in float when its input dimension does not split into groups.
  if (q && p.shape.back() % q->group_size != 0) return std::nullopt;
  return q;
}

}  // namespace medq::synth
