#include "config_json.hpp"

namespace medq::synth {

namespace {

using nlohmann::json;

json gemma3_text_json(const Arch& a) {
  const TextDims& t = a.text;
  return {{"attention_bias", false},
          {"attention_dropout", 0.0},
          {"attn_logit_softcapping", nullptr},
          {"cache_implementation", "hybrid"},
          {"final_logit_softcapping", nullptr},
          {"head_dim", t.head_dim},
          {"hidden_activation", "gelu_pytorch_tanh"},
          {"hidden_size", t.hidden},
          {"initializer_range", 0.02},
          {"intermediate_size", t.intermediate},
          {"max_position_embeddings", 131072},
          {"model_type", "gemma3_text"},
          {"num_attention_heads", t.heads},
          {"num_hidden_layers", t.layers},
          {"num_key_value_heads", t.kv_heads},
          {"query_pre_attn_scalar", a.query_pre_attn_scalar},
          {"rms_norm_eps", 1e-06},
          {"rope_local_base_freq", 10000.0},
          {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}},
          {"rope_theta", 1000000.0},
          {"sliding_window", a.sliding_window ? a.sliding_window : 1024},
          {"sliding_window_pattern", a.sliding_window_pattern},
          {"torch_dtype", "bfloat16"},
          {"use_cache", true},
          {"vocab_size", t.vocab}};
}

json gemma3_config(const Arch& a) {
  if (!a.vision) {
    json text = gemma3_text_json(a);
    text["architectures"] = {"Gemma3ForCausalLM"};
    text["bos_token_id"] = a.ids.bos;
    text["eos_token_id"] = a.ids.eos;
    text["pad_token_id"] = a.ids.pad;
    text["tie_word_embeddings"] = true;
    return text;
  }
  const VisionDims& v = *a.vision;
  json text = gemma3_text_json(a);
  json vision = {{"attention_dropout", 0.0},
                 {"hidden_act", "gelu_pytorch_tanh"},
                 {"hidden_size", v.hidden},
                 {"image_size", v.image},
                 {"intermediate_size", v.intermediate},
                 {"layer_norm_eps", 1e-06},
                 {"model_type", "siglip_vision_model"},
                 {"num_attention_heads", v.heads},
                 {"num_channels", v.channels},
                 {"num_hidden_layers", v.layers},
                 {"patch_size", v.patch},
                 {"torch_dtype", "bfloat16"},
                 {"vision_use_head", false}};
  return {{"architectures", {"Gemma3ForConditionalGeneration"}},
          {"boi_token_index", a.ids.start_of_image},
          {"eoi_token_index", a.ids.end_of_image},
          {"eos_token_id", {a.ids.eos, a.ids.end_of_turn}},
          {"image_token_index", a.ids.image_soft},
          {"initializer_range", 0.02},
          {"mm_tokens_per_image", a.mm_tokens_per_image},
          {"model_type", "gemma3"},
          {"text_config", text},
          {"torch_dtype", "bfloat16"},
          {"transformers_version", "4.50.0"},
          {"vision_config", vision}};
}

json llama_config(const Arch& a) {
  const TextDims& t = a.text;
  const std::string& type = a.text_type;
  const std::string cls = type == "mistral" ? "MistralForCausalLM"
                          : type == "qwen2" ? "Qwen2ForCausalLM"
                          : type == "qwen3" ? "Qwen3ForCausalLM"
                                            : "LlamaForCausalLM";
  json rope = nullptr;
  if (a.llama3_rope)
    rope = {{"factor", 8.0},
            {"high_freq_factor", 4.0},
            {"low_freq_factor", 1.0},
            {"original_max_position_embeddings", 64},
            {"rope_type", "llama3"}};
  json c = {{"architectures", {cls}},
            {"attention_bias", false},
            {"attention_dropout", 0.0},
            {"bos_token_id", a.ids.bos},
            {"eos_token_id", a.ids.eos},
            {"head_dim", t.head_dim},
            {"hidden_act", "silu"},
            {"hidden_size", t.hidden},
            {"initializer_range", 0.02},
            {"intermediate_size", t.intermediate},
            {"max_position_embeddings", 2048},
            {"mlp_bias", false},
            {"model_type", type},
            {"num_attention_heads", t.heads},
            {"num_hidden_layers", t.layers},
            {"num_key_value_heads", t.kv_heads},
            {"pad_token_id", a.ids.pad},
            {"rms_norm_eps", 1e-05},
            {"rope_scaling", rope},
            {"rope_theta", 10000.0},
            {"tie_word_embeddings", a.tie_embeddings},
            {"torch_dtype", "bfloat16"},
            {"use_cache", true},
            {"vocab_size", t.vocab}};
  if (type == "mistral")
    c["sliding_window"] = a.sliding_window ? json(a.sliding_window) : json(nullptr);
  if (type == "qwen2" || type == "qwen3") {
    c["use_sliding_window"] = false;
    c["max_window_layers"] = t.layers;
    c["sliding_window"] = nullptr;
  }
  return c;
}

json spec_json(const QuantSpec& q, bool with_mode) {
  json j = {{"group_size", q.group_size}, {"bits", q.bits}};
  if (with_mode) j["mode"] = q.mode;
  return j;
}

}  // namespace

json base_config(const Arch& arch) {
  return arch.family == Family::Gemma3 ? gemma3_config(arch) : llama_config(arch);
}

json quantization_json(const QuantPlan& plan) {
  if (!plan.global) return nullptr;
  json q = spec_json(*plan.global, true);
  for (const auto& [module, spec] : plan.overrides)
    q[module] = spec ? spec_json(*spec, plan.override_has_mode) : json(false);
  return q;
}

/// transformers 5 writes `dtype` where 4.x wrote `torch_dtype` (also in the nested configs).
void rename_dtype_key(json& j) {
  if (!j.is_object()) return;
  if (auto it = j.find("torch_dtype"); it != j.end()) {
    j["dtype"] = *it;
    j.erase("torch_dtype");
  }
  for (auto& [k, v] : j.items()) rename_dtype_key(v);
}

json make_config(const Arch& arch, const QuantPlan& plan) {
  json c = base_config(arch);
  if (arch.layout == Layout::Transformers) {
    c["transformers_version"] = arch.transformers_version;
    if (!arch.transformers_version.starts_with("4.")) rename_dtype_key(c);
  }
  if (plan.global) {
    c["quantization"] = quantization_json(plan);
    c["quantization_config"] = c["quantization"];  // mlx-lm "support hf model tree" copy
  }
  return c;
}

}  // namespace medq::synth
