// Streams a logical tensor's values as floats, a block of rows at a time: plain float tensors
// as stored, packed weights dequantized (affine: scale * q + bias; fp modes: element * decoded
// scale). Reads with large positioned reads; memory is one block, whatever the tensor's size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medq/data/encoded_rows.hpp"
#include "medq/io/storage.hpp"
#include "medq/model/logical_tensors.hpp"

namespace medq {

class TensorReader {
 public:
  /// Opens the files of `t` (entries of the checkpoint's `storage`). Fails with a message when
  /// the tensor cannot be decoded (integer dtype, unknown packing) or a file cannot be opened.
  static std::optional<TensorReader> open(const Storage& storage, const LogicalTensor& t,
                                          std::string* err);

  /// Rows (product of all dimensions but the last; 1 for 0-D and 1-D) and logical columns.
  uint64_t rows() const { return rows_; }
  uint64_t cols() const { return cols_; }
  /// Rows per block such that a block decodes to at most `max_floats` values (at least 1).
  uint64_t rows_per_block(uint64_t max_floats) const;

  /// Decodes rows [first, first + count) into `out` (resized to count * cols()).
  bool read_rows(uint64_t first, uint64_t count, std::vector<float>& out, std::string* err);

  /// Reads rows [first, first + count) as stored into `m`, to be decoded piecewise.
  bool read_encoded(uint64_t first, uint64_t count, EncodedRows& m, std::string* err) const;

 private:
  struct Part {
    std::unique_ptr<ByteSource> file;
    uint64_t offset = 0;     ///< absolute offset of the tensor data
    uint64_t row_bytes = 0;  ///< stored bytes per row
    Dtype dtype = Dtype::U8;
  };
  bool read_part(const Part& p, uint64_t first, uint64_t count, std::vector<uint8_t>& buf,
                 std::string* err) const;

  uint64_t rows_ = 1, cols_ = 1;
  std::optional<QuantScheme> scheme_;
  Part data_, scales_, biases_;
  bool has_biases_ = false;
  EncodedRows block_;  ///< read_rows' buffers
};

}  // namespace medq
