// Model recipes: the architectures the generator can write (a tiny Gemma 3 multimodal model, a
// tiny llama-style decoder with tied embeddings, and a full-size replica of
// mlx-community/medgemma-4b-it), each expanded into the exact tensor list mlx-lm / mlx-vlm save.
// docs/generator.md says where every name and shape comes from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medq::synth {

enum class Family { Gemma3, Llama };

/// Whose names and conventions the checkpoint follows: MLX's (mlx-lm / mlx-vlm convert) or
/// transformers' save_pretrained (PyTorch names, OIHW convolutions, {"format": "pt"} files,
/// decimal 5 GB shards in module order, the tied lm_head left out).
enum class Layout { Mlx, Transformers };

struct TextDims {
  uint64_t hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
  uint64_t vocab = 0;  ///< rows of the embedding (config vocab_size)
};

struct VisionDims {
  uint64_t hidden = 0, layers = 0, heads = 0, intermediate = 0, patch = 0, image = 0;
  uint64_t channels = 3;
};

/// Ids of the special tokens in the tokenizer; -1 when the model has no such token.
struct SpecialIds {
  int64_t pad = 0, eos = 1, bos = 2, unk = 3, start_of_turn = -1, end_of_turn = -1;
  int64_t start_of_image = -1, end_of_image = -1, image_soft = -1;
  uint64_t tokenizer_size = 0;  ///< tokens in tokenizer.json (ids 0..size-1)
};

/// How a tensor's random values are drawn.
enum class Init { Linear, Embedding, GemmaNorm, UnitNorm, Bias, Conv };

struct Param {
  std::string name;             ///< full tensor name ("...q_proj.weight")
  std::string module;           ///< module path (name without ".weight"), the config key
  std::vector<uint64_t> shape;  ///< logical shape
  Init init = Init::Linear;
  /// A Linear or Embedding weight that mlx-lm / mlx-vlm would quantize (never the vision tower
  /// or the projector, which mlx-vlm keeps in float).
  bool quantizable = false;
  /// A convolution stored [out, in, kh, kw] (transformers); its values are those of the MLX
  /// layout's [out, kh, kw, in] tensor, transposed, so that both layouts hold the same weights.
  bool oihw = false;
  /// Drawn with the values of this tensor instead of its own (mlx-vlm's lm_head, a copy of the
  /// tied embedding); empty: its own name.
  std::string values_of = {};
};

struct Arch {
  Family family = Family::Gemma3;
  std::string name;  ///< "tiny-gemma3", "tiny-llama", "medgemma-4b-it"
  TextDims text;
  std::optional<VisionDims> vision;
  uint64_t mm_tokens_per_image = 0;
  SpecialIds ids;
  bool full_size = false;  ///< the real-size replica (real config values, sparse data)
  uint64_t query_pre_attn_scalar = 256;  ///< Gemma 3 config value (27B: hidden / heads = 168)
  /// Llama family: the model_type written ("llama", "mistral", "qwen2" with q/k/v biases,
  /// "qwen3" with q/k norms). Gemma 3 without a vision tower is "gemma3_text".
  std::string text_type = "llama";
  /// Sliding-window attention: 0 keeps the config default (Gemma 3: 1024, others none).
  uint64_t sliding_window = 0;
  uint64_t sliding_window_pattern = 6;  ///< Gemma 3: every Nth layer is global
  bool llama3_rope = false;             ///< Llama family: rope_scaling of type llama3
  bool tie_embeddings = true;           ///< Llama family: false writes a separate lm_head
  Layout layout = Layout::Mlx;
  /// The transformers version the config and index claim: "4.50.0" writes torch_dtype (as
  /// google/medgemma-4b-it has), "5.17.0" writes dtype and the index's total_parameters.
  std::string transformers_version = "4.50.0";
};

/// gemma3_text (mlx-lm gemma3_text.py): the tiny Gemma 3 language model without vision.
Arch tiny_gemma3_text();
/// A tiny model of the Llama family of model_type `type` (llama, mistral, qwen2, qwen3).
Arch tiny_text(const std::string& type);

Arch tiny_gemma3();
Arch tiny_llama();
Arch medgemma_4b_it();
/// medgemma-27b-it's published dimensions (Gemma 3 27B text + the same SigLIP tower): ~30 GB
/// at 8 bits, for the benchmark that header work does not grow with weight size.
Arch medgemma_27b_it();

/// Every tensor of the unquantized checkpoint, sorted by name.
std::vector<Param> build_params(const Arch& a);

}  // namespace medq::synth
