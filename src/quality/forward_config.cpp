// config.json -> ForwardConfig. Defaults are those of transformers' configuration classes
// (configuration_llama.py, configuration_mistral.py, configuration_qwen2.py,
// configuration_qwen3.py, configuration_gemma3.py) for keys a config leaves out.
#include "medq/quality/forward_config.hpp"

#include <cmath>
#include <numbers>

namespace medq {
namespace {

using nlohmann::json;

struct Defaults {
  uint64_t vocab, hidden, intermediate, layers, heads;
  std::optional<uint64_t> kv_heads, head_dim;
  double rope_theta;
  std::optional<uint64_t> sliding_window;  ///< the default when the key is absent
};

std::optional<Defaults> defaults_for(const std::string& t) {
  if (t == "llama") return Defaults{32000, 4096, 11008, 32, 32, {}, {}, 10000.0, {}};
  if (t == "mistral") return Defaults{32000, 4096, 14336, 32, 32, 8, {}, 10000.0, 4096};
  if (t == "qwen2") return Defaults{151936, 4096, 22016, 32, 32, 32, {}, 10000.0, {}};
  if (t == "qwen3") return Defaults{151936, 4096, 22016, 32, 32, 32, 128, 10000.0, {}};
  if (t == "gemma3_text") return Defaults{262208, 2304, 9216, 26, 8, 4, 256, 1000000.0, 4096};
  return std::nullopt;
}

/// Reads keys of one JSON object, recording the first type error as a refusal.
class Reader {
 public:
  Reader(const json& j, std::string prefix, std::string* refusal)
      : j_(j), prefix_(std::move(prefix)), refusal_(refusal) {}

  bool present(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

  uint64_t u64(const char* key, std::optional<uint64_t> def) {
    if (!present(key)) {
      if (!def) fail(key, "is required");
      return def.value_or(0);
    }
    const json& v = j_[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
      fail(key, "must be a positive integer");
      return 0;
    }
    return v.get<uint64_t>();
  }
  double number(const char* key, double def) {
    if (!present(key)) return def;
    if (!j_[key].is_number()) {
      fail(key, "must be a number");
      return def;
    }
    return j_[key].get<double>();
  }
  bool boolean(const char* key, bool def) {
    if (!present(key)) return def;
    if (!j_[key].is_boolean()) {
      fail(key, "must be true or false");
      return def;
    }
    return j_[key].get<bool>();
  }
  std::string string(const char* key, const std::string& def) {
    if (!present(key)) return def;
    if (!j_[key].is_string()) {
      fail(key, "must be a string");
      return def;
    }
    return j_[key].get<std::string>();
  }
  void fail(const std::string& key, const std::string& why) {
    if (refusal_->empty()) *refusal_ = prefix_ + key + " " + why;
  }
  const json& at(const char* key) const { return j_[key]; }

 private:
  const json& j_;
  std::string prefix_;
  std::string* refusal_;
};

/// One RoPE parameter dict (`rope_scaling` or an entry of `rope_parameters`).
RopeConfig parse_rope(const json& d, double theta, const std::string& where, std::string* refusal) {
  RopeConfig r;
  r.theta = theta;
  if (d.is_null()) return r;
  if (!d.is_object()) {
    if (refusal->empty()) *refusal = where + " must be an object";
    return r;
  }
  Reader rd(d, where + ".", refusal);
  r.theta = rd.number("rope_theta", theta);
  const std::string type = rd.string("rope_type", rd.string("type", "default"));
  if (rd.present("partial_rotary_factor") && rd.number("partial_rotary_factor", 1.0) != 1.0)
    rd.fail("partial_rotary_factor", "other than 1 is not supported (partial rotary embedding)");
  if (type == "default") {
    r.type = RopeConfig::Type::kDefault;
  } else if (type == "linear") {
    r.type = RopeConfig::Type::kLinear;
    r.factor = rd.number("factor", 1.0);
  } else if (type == "llama3") {
    r.type = RopeConfig::Type::kLlama3;
    r.factor = rd.number("factor", 8.0);
    r.low_freq_factor = rd.number("low_freq_factor", 1.0);
    r.high_freq_factor = rd.number("high_freq_factor", 4.0);
    r.original_max_position_embeddings = rd.number("original_max_position_embeddings", 8192);
    if (r.high_freq_factor == r.low_freq_factor)
      rd.fail("high_freq_factor", "equal to low_freq_factor is not a valid llama3 RoPE");
  } else {
    rd.fail("rope_type", "'" + type + "' is not supported (default, linear and llama3 are)");
  }
  if (r.factor <= 0) rd.fail("factor", "must be positive");
  if (!(r.theta > 0)) rd.fail("rope_theta", "must be positive");
  return r;
}

}  // namespace

// Long on purpose: config.json's fields one after another, each read, defaulted as transformers
// defaults it and range-checked, in the order the forward pass uses them; split, the order of
// the checks (and so which refusal a user sees first) would be spread over several functions.
std::optional<ForwardConfig> parse_forward_config(const json& config, std::string* refusal) {
  refusal->clear();
  if (!config.is_object()) {
    *refusal = "config.json is not an object";
    return std::nullopt;
  }
  const std::string top_type = config.contains("model_type") && config["model_type"].is_string()
                                   ? config["model_type"].get<std::string>()
                                   : "";
  const json* t = &config;
  std::string prefix;
  std::string type = top_type;
  if (top_type == "gemma3") {
    // Gemma3ForConditionalGeneration: the text is Gemma3TextModel over text_config.
    if (!config.contains("text_config") || !config["text_config"].is_object()) {
      *refusal = "gemma3 config without a text_config object";
      return std::nullopt;
    }
    t = &config["text_config"];
    prefix = "text_config.";
    type = "gemma3_text";
  }
  if (type == "phi3") {
    *refusal =
        "model_type phi3 is not supported by the forward pass yet (fused qkv_proj and "
        "gate_up_proj, partial rotary embedding)";
    return std::nullopt;
  }
  const auto def = defaults_for(type);
  if (!def) {
    *refusal = "model_type '" + type +
               "' is not supported by the forward pass (llama, mistral, qwen2, qwen3, gemma3, "
               "gemma3_text are)";
    return std::nullopt;
  }
  Reader rd(*t, prefix, refusal);
  ForwardConfig c;
  c.model_type = type;
  c.family = type == "gemma3_text" ? ForwardFamily::kGemma3 : ForwardFamily::kLlama;
  const bool gemma = c.family == ForwardFamily::kGemma3;
  c.hidden = rd.u64("hidden_size", def->hidden);
  c.layers = rd.u64("num_hidden_layers", def->layers);
  c.heads = rd.u64("num_attention_heads", def->heads);
  c.kv_heads = rd.u64("num_key_value_heads", def->kv_heads.value_or(c.heads));
  c.intermediate = rd.u64("intermediate_size", def->intermediate);
  c.vocab = rd.u64("vocab_size", def->vocab);
  c.head_dim = rd.u64("head_dim", def->head_dim.value_or(c.heads ? c.hidden / c.heads : 0));
  c.rms_norm_eps = rd.number("rms_norm_eps", 1e-6);
  if (!refusal->empty()) return std::nullopt;
  if (c.heads % c.kv_heads != 0) {
    rd.fail("num_attention_heads", "is not a multiple of num_key_value_heads");
    return std::nullopt;
  }
  if (c.head_dim % 2 != 0) {
    rd.fail("head_dim", "must be even for rotary embedding");
    return std::nullopt;
  }
  if (c.layers > 100000) {
    rd.fail("num_hidden_layers", "is implausibly large");
    return std::nullopt;
  }

  // What the forward pass does not implement, refused by name.
  for (const char* k : {"attn_logit_softcapping", "final_logit_softcapping"})
    if (rd.present(k)) rd.fail(k, "is set: logit softcapping is not supported");
  if (rd.boolean("use_bidirectional_attention", false))
    rd.fail("use_bidirectional_attention", "is true: only causal attention is supported");
  if (rd.boolean("use_sliding_window", false))
    rd.fail("use_sliding_window", "is true: qwen sliding-window layers are not supported");
  if (gemma) {
    const std::string act = rd.string("hidden_activation", "gelu_pytorch_tanh");
    if (act != "gelu_pytorch_tanh")
      rd.fail("hidden_activation", "'" + act + "' is not supported (gelu_pytorch_tanh is)");
  } else {
    const std::string act = rd.string("hidden_act", "silu");
    if (act != "silu") rd.fail("hidden_act", "'" + act + "' is not supported (silu is)");
  }
  if (rd.present("partial_rotary_factor") && rd.number("partial_rotary_factor", 1.0) != 1.0)
    rd.fail("partial_rotary_factor", "other than 1 is not supported");
  if (!refusal->empty()) return std::nullopt;

  c.qk_norm = gemma || type == "qwen3";
  c.attention_scale = gemma ? 1.0 / std::sqrt(rd.number("query_pre_attn_scalar", 256.0))
                            : 1.0 / std::sqrt(static_cast<double>(c.head_dim));

  // Sliding window: Gemma 3's layer pattern, Mistral's every layer (modeling_mistral.py picks
  // create_sliding_window_causal_mask whenever config.sliding_window is set).
  if (t->contains("sliding_window")) {
    if (!(*t)["sliding_window"].is_null()) c.sliding_window = rd.u64("sliding_window", {});
  } else {
    c.sliding_window = def->sliding_window;
  }
  c.sliding_layers.assign(c.layers, false);
  if (rd.present("layer_types")) {
    const json& lt = rd.at("layer_types");
    if (!lt.is_array() || lt.size() != c.layers) {
      rd.fail("layer_types", "must be an array of num_hidden_layers strings");
      return std::nullopt;
    }
    for (size_t i = 0; i < lt.size(); ++i) {
      const std::string v = lt[i].is_string() ? lt[i].get<std::string>() : "";
      if (v == "sliding_attention") {
        c.sliding_layers[i] = true;
      } else if (v != "full_attention") {
        rd.fail("layer_types", "entry '" + v + "' is not supported");
        return std::nullopt;
      }
    }
  } else if (gemma) {
    // modeling_gemma3.py (4.50): is_sliding = bool((layer_idx + 1) % sliding_window_pattern).
    const uint64_t pattern =
        rd.u64("sliding_window_pattern", rd.u64("_sliding_window_pattern", uint64_t{6}));
    for (uint64_t i = 0; i < c.layers; ++i) c.sliding_layers[i] = (i + 1) % pattern != 0;
  } else if (c.sliding_window) {
    c.sliding_layers.assign(c.layers, true);
  }
  if (!c.sliding_window) {
    for (bool s : c.sliding_layers)
      if (s) {
        rd.fail("sliding_window", "is null but layers use sliding attention");
        return std::nullopt;
      }
  }

  // RoPE: transformers 5 writes rope_parameters (per layer type for Gemma 3); earlier versions
  // rope_theta + rope_scaling (+ Gemma 3's rope_local_base_freq for the sliding layers, whose
  // RoPE is unscaled).
  const double theta = rd.number("rope_theta", def->rope_theta);
  if (rd.present("rope_parameters")) {
    const json& rp = rd.at("rope_parameters");
    if (gemma && rp.is_object() &&
        (rp.contains("full_attention") || rp.contains("sliding_attention"))) {
      c.rope_global = parse_rope(rp.value("full_attention", json()), theta,
                                 prefix + "rope_parameters.full_attention", refusal);
      c.rope_sliding = parse_rope(rp.value("sliding_attention", json()),
                                  rd.number("rope_local_base_freq", 10000.0),
                                  prefix + "rope_parameters.sliding_attention", refusal);
    } else {
      c.rope_global = parse_rope(rp, theta, prefix + "rope_parameters", refusal);
      c.rope_sliding = c.rope_global;
    }
  } else {
    c.rope_global =
        parse_rope(t->value("rope_scaling", json()), theta, prefix + "rope_scaling", refusal);
    if (gemma) {
      c.rope_sliding = RopeConfig{};
      c.rope_sliding.theta = rd.number("rope_local_base_freq", 10000.0);
    } else {
      c.rope_sliding = c.rope_global;
    }
  }
  if (!refusal->empty()) return std::nullopt;
  return c;
}

std::vector<float> rope_inv_freq(const RopeConfig& r, uint64_t head_dim) {
  // modeling_rope_utils.py _compute_default_rope_parameters:
  //   inv_freq = 1 / (base ** (arange(0, dim, 2).float() / dim))
  std::vector<float> inv(head_dim / 2);
  for (uint64_t i = 0; i < inv.size(); ++i) {
    const float e = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    inv[i] = 1.0f / static_cast<float>(std::pow(r.theta, static_cast<double>(e)));
  }
  if (r.type == RopeConfig::Type::kLinear) {
    // _compute_linear_scaling_rope_parameters: inv_freq /= factor.
    for (float& f : inv) f = static_cast<float>(f / r.factor);
  } else if (r.type == RopeConfig::Type::kLlama3) {
    // _compute_llama3_parameters: long wavelengths divided by factor, short ones kept, the band
    // between smoothly interpolated.
    const double old_len = r.original_max_position_embeddings;
    const double low_wavelen = old_len / r.low_freq_factor;
    const double high_wavelen = old_len / r.high_freq_factor;
    for (float& f : inv) {
      const double freq = f;
      const double wavelen = 2 * std::numbers::pi / freq;
      double scaled = wavelen > low_wavelen ? freq / r.factor : freq;
      if (!(wavelen < high_wavelen) && !(wavelen > low_wavelen)) {
        const double smooth =
            (old_len / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
        scaled = (1 - smooth) * scaled / r.factor + smooth * scaled;
      }
      f = static_cast<float>(scaled);
    }
  }
  return inv;
}

}  // namespace medq
