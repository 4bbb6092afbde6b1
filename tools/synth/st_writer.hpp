// Writes safetensors files the way MLX's save_safetensors does: no header padding, a
// `__metadata__` of {"format": "mlx"}, header keys sorted by name, and the data laid out in an
// order different from the keys, so readers that assume key order = offset order are caught.
// For the transformers layout, as the safetensors library does when transformers saves: the
// header padded with spaces to a multiple of 8 bytes, {"format": "pt"}, the data in name order
// (every tensor has the same dtype alignment).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "arch.hpp"
#include "medq/formats/dtype.hpp"

namespace medq::synth {

/// One tensor to write. `data` is empty in sparse mode and for a streamed tensor, whose bytes
/// `produce` makes when the writer reaches it (so a full-size model is never held in memory);
/// `nbytes` is always the logical size.
struct OutTensor {
  std::string name;
  Dtype dtype = Dtype::BF16;
  std::vector<uint64_t> shape;
  uint64_t nbytes = 0;
  std::vector<uint8_t> data;
  std::function<std::vector<uint8_t>()> produce;
};

/// Byte size of a tensor of `dtype` and `shape` (product of the shape times the element bits,
/// divided by 8). Throws std::invalid_argument when the bits are not a whole number of bytes.
uint64_t tensor_nbytes(Dtype dtype, const std::vector<uint64_t>& shape);

/// The data order MLX-style files use here: descending byte size, then name. Returns indices
/// into `tensors`.
std::vector<size_t> data_order(const std::vector<OutTensor>& tensors, Layout layout = Layout::Mlx);

/// The header JSON (without the 8-byte length) for `tensors` laid out in data_order().
std::string safetensors_header(const std::vector<OutTensor>& tensors, Layout layout = Layout::Mlx);

/// Writes `tensors` to `path`. With `sparse`, writes the header and extends the file to its full
/// size with ftruncate, leaving the data region a hole that costs no disk; otherwise every
/// tensor's `data` (or, when `data` is empty and `produce` is set, what `produce` returns,
/// made one tensor at a time and dropped once written) must hold exactly `nbytes`. Throws
/// std::runtime_error on I/O failure. Returns the file size.
uint64_t write_safetensors(const std::filesystem::path& path, const std::vector<OutTensor>& tensors,
                           bool sparse, Layout layout = Layout::Mlx);

}  // namespace medq::synth
