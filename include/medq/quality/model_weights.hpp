// The decoder's tensors as the forward pass asks for them: by their name below the text model
// ("layers.3.self_attn.q_proj.weight", "embed_tokens.weight"), whichever prefix the checkpoint
// uses (mlx-lm "model.", mlx-vlm "language_model.model.", transformers 5 gemma3
// "model.language_model."). Every value is decoded through data/'s TensorReader, so packed
// weights are dequantized exactly as `medq fidelity` does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medq/data/tensor_reader.hpp"
#include "medq/io/storage.hpp"
#include "medq/model/logical_tensors.hpp"
#include "medq/quality/forward_config.hpp"

namespace medq {

class ModelWeights {
 public:
  /// Indexes `tensors` (which must outlive the result) of the checkpoint in `storage`. Fails
  /// when the embedding is absent or a tensor the config needs is missing.
  static std::optional<ModelWeights> open(std::shared_ptr<const Storage> storage,
                                          const LogicalTensors& tensors, const ForwardConfig& c,
                                          std::string* err);

  /// True when the text model has `name` (relative to its prefix).
  bool has(std::string_view name) const;
  /// Decodes the whole tensor `name` into `out`, checking its logical shape is rows x cols.
  bool read(std::string_view name, uint64_t rows, uint64_t cols, std::vector<float>& out,
            std::string* err) const;
  /// Reads `name`, which must be rows x cols, as stored into `out`.
  bool read_encoded(std::string_view name, uint64_t rows, uint64_t cols, EncodedRows& out,
                    std::string* err) const;
  /// A reader on `name`; for the embedding and lm_head, read in row blocks.
  std::optional<TensorReader> reader(std::string_view name, std::string* err) const;

  /// The output projection: "lm_head.weight" when stored, else the embedding (tied).
  const std::string& lm_head() const { return lm_head_; }

 private:
  const LogicalTensor* find(std::string_view name) const;
  bool check_shape(const TensorReader& r, std::string_view name, uint64_t rows, uint64_t cols,
                   std::string* err) const;

  std::shared_ptr<const Storage> storage_;
  std::map<std::string, const LogicalTensor*, std::less<>> by_name_;  ///< relative names
  std::string lm_head_;
};

}  // namespace medq
