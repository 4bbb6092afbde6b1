// The safetensors header reader. It accepts exactly what the reference reader
// (huggingface/safetensors, tensor.rs) accepts and rejects the rest, checking in the reference's
// order, with one deliberate divergence: duplicate tensor names are rejected. Only the 8-byte
// length and the header are read; the data region is never touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medq/diag/finding.hpp"
#include "medq/formats/dtype.hpp"
#include "medq/io/storage.hpp"

namespace medq {

/// The reference reader's limit on the header length N.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

struct TensorInfo {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<uint64_t> shape;
  uint64_t begin = 0;  ///< data_offsets[0], relative to the start of the data region
  uint64_t end = 0;    ///< data_offsets[1], exclusive

  uint64_t nbytes() const { return end - begin; }
  /// Product of the shape (1 for a scalar). Valid once the header has been accepted, which
  /// guarantees that the product does not overflow.
  uint64_t num_elements() const;
};

struct SafetensorsHeader {
  uint64_t header_len = 0;  ///< N, the JSON length including padding
  uint64_t file_size = 0;
  /// Tensors in data-offset order (not header order: MLX writes them differently).
  std::vector<TensorInfo> tensors;
  /// `__metadata__`, absent when missing or null.
  std::optional<std::map<std::string, std::string>> metadata;

  uint64_t data_start() const { return 8 + header_len; }
  /// Absolute file offset of a tensor's first byte.
  uint64_t absolute_offset(const TensorInfo& t) const { return data_start() + t.begin; }
};

struct SafetensorsResult {
  /// Set when the file is accepted. On rejection it is empty and `findings` holds the error.
  std::optional<SafetensorsHeader> header;
  Findings findings;
  /// Set instead of `header` when the header itself is sound and only the file's length is wrong
  /// (safetensors.incomplete_buffer: truncated, or bytes after the last tensor), so that checks
  /// of names and shapes can still run on what the header describes.
  std::optional<SafetensorsHeader> header_of_incomplete_file;

  bool ok() const { return header.has_value(); }
  /// The header when accepted, else the header of an incomplete file, else null.
  const SafetensorsHeader* readable_header() const {
    return header ? &*header : header_of_incomplete_file ? &*header_of_incomplete_file : nullptr;
  }
};

/// Parses a safetensors file from a prefix of its bytes. `prefix` starts at file offset 0 and
/// holds at least 8 + N bytes when the file is that long (the whole file works too);
/// `file_size` is the size of the whole file. `file_label` names the file in findings.
SafetensorsResult parse_safetensors(std::span<const uint8_t> prefix, uint64_t file_size,
                                    std::string_view file_label);

/// Reads the length and header of `src` and parses them: from `first` (bytes already read from
/// offset 0, possibly none) when it holds them, else with at most two positioned reads. Returns
/// nullopt with a message in `*err` on a read error.
std::optional<SafetensorsResult> read_safetensors_header(const ByteSource& src,
                                                         std::span<const uint8_t> first,
                                                         std::string_view file_label,
                                                         std::string* err);

/// Reads the length and header of an opened entry and parses them. I/O problems (the entry
/// could not be opened or read) become findings with code "safetensors.io_error".
SafetensorsResult read_safetensors(Opened file, std::string_view file_label);

/// The same for the file at `path`.
SafetensorsResult read_safetensors(const std::filesystem::path& path, std::string_view file_label);

}  // namespace medq
