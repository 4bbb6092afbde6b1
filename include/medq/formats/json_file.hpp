// Reading a small JSON file (config.json, an index, tokenizer_config.json) into a DOM, with a
// size cap and syntax errors reported as findings that name the line and column.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"
#include "medq/diag/json_pointer.hpp"
#include "medq/io/padded_buffer.hpp"
#include "medq/io/storage.hpp"

namespace medq {

/// Files larger than this are not loaded into a DOM (tokenizer.json has its own streaming reader).
inline constexpr uint64_t kMaxSmallJsonBytes = 64ull << 20;

/// Deepest nesting read, as serde_json's limit for tokenizer.json (real config files nest a few
/// levels); deeper is `<area>.invalid_json`, found in a pass before the parse.
inline constexpr size_t kMaxSmallJsonDepth = 128;

struct JsonFileResult {
  std::optional<nlohmann::json> value;  ///< set when the file parsed
  Findings findings;
};

/// Parses `text` as JSON. A syntax error becomes one finding with code `<area>.invalid_json`,
/// the byte offset, and the 1-based line and column. Duplicate keys are reported as a warning
/// `<area>.duplicate_key` (the last value is kept, as Python's json module does). Nesting deeper
/// than kMaxSmallJsonDepth is an `<area>.invalid_json` too.
JsonFileResult parse_json_text(std::string_view text, std::string_view file_label,
                               std::string_view area);

/// Reads the whole file at `path` into `*bytes`. On failure returns the result to report
/// (`<area>.unreadable`, or `<area>.too_large` for a file over `max_bytes`) and leaves `*bytes`
/// empty.
std::optional<JsonFileResult> load_json_file(const std::filesystem::path& path,
                                             std::string_view file_label, std::string_view area,
                                             uint64_t max_bytes, PaddedBuffer* bytes);

/// The same for an opened entry (an entry that could not be opened is `<area>.unreadable`).
std::optional<JsonFileResult> load_json_file(Opened file, std::string_view file_label,
                                             std::string_view area, uint64_t max_bytes,
                                             PaddedBuffer* bytes);

/// Reads and parses the file at `path` (load_json_file, then parse_json_text).
JsonFileResult read_json_file(const std::filesystem::path& path, std::string_view file_label,
                              std::string_view area, uint64_t max_bytes = kMaxSmallJsonBytes);

/// The same for an opened entry.
JsonFileResult read_json_file(Opened file, std::string_view file_label, std::string_view area,
                              uint64_t max_bytes = kMaxSmallJsonBytes);

}  // namespace medq
