// The defaults tables. Every number is cited to the config class it comes from; "mlx-lm" and
// "mlx-vlm" rows are what actually loads an MLX checkpoint, so where they differ from transformers
// the loader wins and the transformers value is noted.
#include "architecture_defaults.hpp"

namespace medq::detail {
namespace {

constexpr IntDefault V(uint64_t v) { return {Rule::kValue, v}; }
constexpr IntDefault R(uint64_t reference) { return {Rule::kRequired, reference}; }
constexpr IntDefault kFromHeads{Rule::kFromHeads, 0};
constexpr IntDefault kHiddenOverHeads{Rule::kHiddenOverHeads, 0};
constexpr IntDefault kAlwaysHiddenOverHeads{Rule::kAlwaysHiddenOverHeads, 0};
constexpr IntDefault kNoInt{Rule::kNone, 0};
constexpr BoolDefault BV(bool v) { return {Rule::kValue, v}; }
constexpr BoolDefault BR(bool reference) { return {Rule::kRequired, reference}; }
constexpr RealDefault DV(double v) { return {Rule::kValue, v}; }
constexpr RealDefault DR(double reference) { return {Rule::kRequired, reference}; }

TextDefaults make_gemma3() {
  // Loader: Blaizzy/mlx-vlm mlx_vlm/models/gemma3/config.py TextConfig (hidden_size,
  // num_hidden_layers, intermediate_size have no default). Reference for those three:
  // transformers models/gemma3/configuration_gemma3.py Gemma3TextConfig (2304, 26, 9216). Both
  // agree on heads 8, kv heads 4, head_dim 256, vocab 262208, rms_norm_eps 1e-6, pattern 6.
  TextDefaults d;
  d.family = Family::kGemma3;
  d.loader = "mlx-vlm gemma3 TextConfig";
  d.reference = "transformers Gemma3TextConfig";
  d.nested = true;
  d.hidden_size = R(2304);
  d.num_hidden_layers = R(26);
  d.intermediate_size = R(9216);
  d.num_attention_heads = V(8);
  d.num_key_value_heads = V(4);
  d.head_dim = V(256);
  d.vocab_size = V(262208);
  // mlx-vlm TextConfig: 4096 (transformers Gemma3TextConfig: 131072).
  d.max_position_embeddings = V(4096);
  // mlx-vlm TextConfig: 1024 (transformers Gemma3TextConfig: 4096).
  d.sliding_window = V(1024);
  d.sliding_window_pattern = V(6);
  d.rms_norm_eps = DV(1e-6);
  // transformers Gemma3TextConfig: True. mlx-vlm's LanguageModel always has an lm_head and
  // fills it from embed_tokens when the checkpoint has none (language.py sanitize).
  d.tie_word_embeddings = BV(true);
  d.attention_bias = BV(false);  // Attention uses bias=False unconditionally
  d.mlp_bias = BV(false);
  return d;
}

TextDefaults make_gemma3_text() {
  // Loader: ml-explore/mlx-lm mlx_lm/models/gemma3_text.py ModelArgs, which defaults every size
  // (to Gemma 3 1B's). transformers Gemma3TextConfig differs: hidden 2304, intermediate 9216,
  // heads 8, kv heads 4, vocab 262208, sliding_window 4096.
  TextDefaults d;
  d.family = Family::kGemma3Text;
  d.loader = "mlx-lm gemma3_text ModelArgs";
  d.reference = "transformers Gemma3TextConfig";
  d.hidden_size = V(1152);
  d.num_hidden_layers = V(26);
  d.intermediate_size = V(6912);
  d.num_attention_heads = V(4);
  d.num_key_value_heads = V(1);
  d.head_dim = V(256);
  d.vocab_size = V(262144);
  d.max_position_embeddings = V(131072);  // not read by mlx-lm; transformers Gemma3TextConfig
  d.sliding_window = V(512);
  d.sliding_window_pattern = V(6);
  d.rms_norm_eps = DV(1e-6);
  d.tie_word_embeddings = BV(true);  // transformers; mlx-lm copies embed_tokens into lm_head
  d.attention_bias = BV(false);
  d.mlp_bias = BV(false);
  return d;
}

TextDefaults make_llama_like(Family f) {
  // Loader: mlx-lm mlx_lm/models/llama.py ModelArgs (mistral is remapped to it by
  // MODEL_REMAPPING in mlx_lm/utils.py): hidden_size, num_hidden_layers, intermediate_size,
  // num_attention_heads, rms_norm_eps and vocab_size have no default; num_key_value_heads and
  // head_dim default to heads and hidden/heads; tie_word_embeddings defaults to True (transformers
  // LlamaConfig and MistralConfig: False).
  TextDefaults d;
  d.family = f;
  d.loader = "mlx-lm llama ModelArgs";
  d.num_key_value_heads = kFromHeads;  // MistralConfig says 8; mlx-lm's llama code uses heads
  d.head_dim = kHiddenOverHeads;
  d.tie_word_embeddings = BV(true);
  d.attention_bias = BV(false);
  d.mlp_bias = BV(false);
  d.rms_norm_eps = DR(1e-6);  // LlamaConfig and MistralConfig
  if (f == Family::kMistral) {
    // Reference: transformers models/mistral/configuration_mistral.py MistralConfig.
    d.reference = "transformers MistralConfig";
    d.hidden_size = R(4096);
    d.num_hidden_layers = R(32);
    d.intermediate_size = R(14336);
    d.num_attention_heads = R(32);
    d.vocab_size = R(32000);
    d.max_position_embeddings = V(4096 * 32);
    d.sliding_window = V(4096);  // MistralConfig; mlx-lm slides only layers listed in layer_types
  } else {
    // Reference: transformers models/llama/configuration_llama.py LlamaConfig.
    d.reference = "transformers LlamaConfig";
    d.hidden_size = R(4096);
    d.num_hidden_layers = R(32);
    d.intermediate_size = R(11008);
    d.num_attention_heads = R(32);
    d.vocab_size = R(32000);
    d.max_position_embeddings = V(2048);  // LlamaConfig; mlx-lm leaves it None
  }
  return d;
}

TextDefaults make_qwen2() {
  // Loader: mlx-lm mlx_lm/models/qwen2.py ModelArgs: sizes, rms_norm_eps and num_key_value_heads
  // required; max_position_embeddings 32768; tie_word_embeddings True (transformers Qwen2Config:
  // False); head_dim is never read, Attention uses hidden_size // heads. Reference:
  // transformers models/qwen2/configuration_qwen2.py Qwen2Config.
  TextDefaults d;
  d.family = Family::kQwen2;
  d.loader = "mlx-lm qwen2 ModelArgs";
  d.reference = "transformers Qwen2Config";
  d.hidden_size = R(4096);
  d.num_hidden_layers = R(32);
  d.intermediate_size = R(22016);
  d.num_attention_heads = R(32);
  d.num_key_value_heads = R(32);
  d.head_dim = kAlwaysHiddenOverHeads;
  d.vocab_size = R(151936);
  d.max_position_embeddings = V(32768);
  d.rms_norm_eps = DR(1e-6);
  d.tie_word_embeddings = BV(true);
  d.attention_bias = BV(true);  // q/k/v have bias=True, o_proj bias=False (qwen2.py Attention)
  d.mlp_bias = BV(false);
  return d;
}

TextDefaults make_qwen3() {
  // Loader: mlx-lm mlx_lm/models/qwen3.py ModelArgs: every field used here is required (also
  // rope_theta, head_dim, max_position_embeddings and tie_word_embeddings). Reference:
  // transformers models/qwen3/configuration_qwen3.py Qwen3Config.
  TextDefaults d;
  d.family = Family::kQwen3;
  d.loader = "mlx-lm qwen3 ModelArgs";
  d.reference = "transformers Qwen3Config";
  d.hidden_size = R(4096);
  d.num_hidden_layers = R(32);
  d.intermediate_size = R(22016);
  d.num_attention_heads = R(32);
  d.num_key_value_heads = R(32);
  d.head_dim = R(128);
  d.vocab_size = R(151936);
  d.max_position_embeddings = R(32768);
  d.rms_norm_eps = DR(1e-6);
  d.tie_word_embeddings = BR(false);
  d.attention_bias = BV(false);  // qwen3.py Attention: bias=False
  d.mlp_bias = BV(false);
  return d;
}

TextDefaults make_phi3() {
  // Loader: mlx-lm mlx_lm/models/phi3.py ModelArgs: sizes and rms_norm_eps required; kv heads
  // default to heads; max_position_embeddings 131072 (transformers Phi3Config: 4096);
  // tie_word_embeddings False; head_dim is hidden_size // heads. Reference: transformers
  // models/phi3/configuration_phi3.py Phi3Config.
  TextDefaults d;
  d.family = Family::kPhi3;
  d.loader = "mlx-lm phi3 ModelArgs";
  d.reference = "transformers Phi3Config";
  d.hidden_size = R(3072);
  d.num_hidden_layers = R(32);
  d.intermediate_size = R(8192);
  d.num_attention_heads = R(32);
  d.num_key_value_heads = kFromHeads;
  d.head_dim = kAlwaysHiddenOverHeads;
  d.vocab_size = R(32064);
  d.max_position_embeddings = V(131072);
  d.rms_norm_eps = DR(1e-5);
  d.tie_word_embeddings = BV(false);
  d.attention_bias = BV(false);
  d.mlp_bias = BV(false);
  return d;
}

TextDefaults make_unknown() {
  // A generic decoder: only the conventions nearly every config class shares (kv heads default to
  // heads, head_dim to hidden/heads); everything else must come from the file.
  TextDefaults d;
  d.family = Family::kUnknown;
  d.loader = "generic decoder";
  d.reference = "generic decoder";
  d.num_key_value_heads = kFromHeads;
  d.head_dim = kHiddenOverHeads;
  (void)kNoInt;
  return d;
}

}  // namespace

Family family_for_model_type(std::string_view t) {
  if (t == "gemma3") return Family::kGemma3;
  if (t == "gemma3_text") return Family::kGemma3Text;
  if (t == "llama") return Family::kLlama;
  if (t == "mistral") return Family::kMistral;
  if (t == "qwen2") return Family::kQwen2;
  if (t == "qwen3") return Family::kQwen3;
  if (t == "phi3") return Family::kPhi3;
  return Family::kUnknown;
}

const TextDefaults& text_defaults(Family f) {
  static const TextDefaults gemma3 = make_gemma3(), gemma3_text = make_gemma3_text(),
                            llama = make_llama_like(Family::kLlama),
                            mistral = make_llama_like(Family::kMistral), qwen2 = make_qwen2(),
                            qwen3 = make_qwen3(), phi3 = make_phi3(), unknown = make_unknown();
  switch (f) {
    case Family::kGemma3:
      return gemma3;
    case Family::kGemma3Text:
      return gemma3_text;
    case Family::kLlama:
      return llama;
    case Family::kMistral:
      return mistral;
    case Family::kQwen2:
      return qwen2;
    case Family::kQwen3:
      return qwen3;
    case Family::kPhi3:
      return phi3;
    case Family::kUnknown:
      break;
  }
  return unknown;
}

const VisionDefaults& gemma3_vision_defaults() {
  // Loader: mlx-vlm mlx_vlm/models/gemma3/config.py VisionConfig: num_hidden_layers, hidden_size,
  // intermediate_size, num_attention_heads and patch_size have no default; image_size 224,
  // num_channels 3. Reference for the required ones: transformers models/siglip/
  // configuration_siglip.py SiglipVisionConfig (768, 12 layers, 12 heads, 3072, patch 16).
  static const VisionDefaults d = [] {
    VisionDefaults v;
    v.loader = "mlx-vlm gemma3 VisionConfig";
    v.reference = "transformers SiglipVisionConfig";
    v.hidden_size = R(768);
    v.num_hidden_layers = R(12);
    v.num_attention_heads = R(12);
    v.intermediate_size = R(3072);
    v.patch_size = R(16);
    v.image_size = V(224);
    v.num_channels = V(3);
    return v;
  }();
  return d;
}

const ProjectorDefaults& gemma3_projector_defaults() {
  // transformers Gemma3Config: mm_tokens_per_image 256, image_token_index 262144; mlx-vlm reads
  // mm_tokens_per_image from text_config (TextConfig default 256) and image_token_index from the
  // top level (ModelConfig default 262144).
  static const ProjectorDefaults d{V(256), V(262144)};
  return d;
}

}  // namespace medq::detail
