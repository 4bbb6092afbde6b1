#include "medq/data/tensor_reader.hpp"

#include <algorithm>
#include <string>

#include "medq/data/decode.hpp"
#include "medq/io/checked.hpp"

namespace medq {
namespace {

/// Rows and last dimension of a shape.
std::pair<uint64_t, uint64_t> rows_cols(const std::vector<uint64_t>& shape) {
  if (shape.empty()) return {1, 1};
  uint64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];  // bounded by the header
  return {rows, shape.back()};
}

}  // namespace

std::optional<TensorReader> TensorReader::open(const Storage& storage, const LogicalTensor& t,
                                               std::string* err) {
  TensorReader r;
  auto open_part = [&](const StoredTensor& st, Part& p) -> bool {
    p.file = storage.open(st.file->name, err);
    if (!p.file) return false;
    // The header was read earlier, from a file of another size: it changed in between.
    if (const SafetensorsHeader* h = st.file->header.readable_header();
        h && p.file->size() != h->file_size) {
      *err = changed_since_header_message(h->file_size, p.file->size());
      return false;
    }
    p.offset = st.file_offset();
    p.dtype = st.info->dtype;
    auto [rows, cols] = rows_cols(st.info->shape);
    if (rows == 0 || cols == 0) {
      p.row_bytes = 0;
    } else {
      p.row_bytes = st.info->nbytes() / rows;
    }
    return true;
  };
  if (t.quantized()) {
    r.scheme_ = t.scheme;
    if (!open_part(t.data, r.data_) || !open_part(*t.scales, r.scales_)) return std::nullopt;
    if (t.biases) {
      if (!open_part(*t.biases, r.biases_)) return std::nullopt;
      r.has_biases_ = true;
    }
    const bool fp = t.scheme->mode != QuantMode::kAffine;
    if (fp ? r.scales_.dtype != Dtype::U8 : !decodable_float(r.scales_.dtype)) {
      *err = "scales of dtype " + std::string(dtype_name(r.scales_.dtype)) + " cannot be decoded";
      return std::nullopt;
    }
    if (!fp && (!r.has_biases_ || r.biases_.dtype != r.scales_.dtype)) {
      *err = "affine weights need biases of the scales' dtype";
      return std::nullopt;
    }
    // The stored rows must agree: packed row = cols * bits / 8 bytes, one scale per group.
    auto [rows, cols] = rows_cols(t.shape);
    r.rows_ = rows;
    r.cols_ = cols;
    const uint64_t groups = cols / t.scheme->group_size;
    if ((uint64_t{t.scheme->group_size} * t.scheme->bits) % 8 != 0) {
      *err = "groups of " + std::to_string(t.scheme->group_size) + " " +
             std::to_string(t.scheme->bits) + "-bit codes do not each start on a byte";
      return std::nullopt;
    }
    if (cols % t.scheme->group_size != 0 || r.data_.row_bytes * 8 != cols * t.scheme->bits ||
        r.scales_.row_bytes != groups * (dtype_bits(r.scales_.dtype) / 8) ||
        (r.has_biases_ && r.biases_.row_bytes != r.scales_.row_bytes)) {
      *err = "packed weight, scales and biases do not agree on the row layout";
      return std::nullopt;
    }
  } else {
    if (!decodable_float(t.data.info->dtype)) {
      *err = "dtype " + std::string(dtype_name(t.data.info->dtype)) + " is not a float type";
      return std::nullopt;
    }
    if (!open_part(t.data, r.data_)) return std::nullopt;
    auto [rows, cols] = rows_cols(t.shape);
    r.rows_ = rows;
    r.cols_ = cols;
  }
  return r;
}

uint64_t TensorReader::rows_per_block(uint64_t max_floats) const {
  if (cols_ == 0) return std::max<uint64_t>(rows_, 1);
  return std::clamp<uint64_t>(max_floats / cols_, 1, std::max<uint64_t>(rows_, 1));
}

bool TensorReader::read_part(const Part& p, uint64_t first, uint64_t count,
                             std::vector<uint8_t>& buf, std::string* err) const {
  const uint64_t n = p.row_bytes * count;
  buf.resize(static_cast<size_t>(n));
  if (n == 0) return true;
  auto off = checked_add(p.offset, p.row_bytes * first);
  if (!off) {
    *err = "offset overflow";
    return false;
  }
  return p.file->read_at(*off, buf.data(), static_cast<size_t>(n), err);
}

bool TensorReader::read_encoded(uint64_t first, uint64_t count, EncodedRows& m,
                                std::string* err) const {
  count = std::min(count, rows_ - std::min(first, rows_));
  m.rows = count;
  m.cols = cols_;
  m.scheme = scheme_;
  m.dtype = data_.dtype;
  m.scale_dtype = scales_.dtype;
  m.has_biases = has_biases_;
  m.row_bytes = data_.row_bytes;
  m.scale_row_bytes = scheme_ ? scales_.row_bytes : 0;
  if (!read_part(data_, first, count, m.data, err)) return false;
  if (scheme_) {
    if (!read_part(scales_, first, count, m.scales, err)) return false;
    if (has_biases_ && !read_part(biases_, first, count, m.biases, err)) return false;
  }
  m.prepare();
  return true;
}

bool TensorReader::read_rows(uint64_t first, uint64_t count, std::vector<float>& out,
                             std::string* err) {
  count = std::min(count, rows_ - std::min(first, rows_));
  out.resize(static_cast<size_t>(count * cols_));
  if (count == 0 || cols_ == 0) return true;
  if (!read_encoded(first, count, block_, err)) return false;
  for (uint64_t r = 0; r < count; ++r) block_.decode(r, 0, cols_, out.data() + r * cols_);
  return true;
}

}  // namespace medq
