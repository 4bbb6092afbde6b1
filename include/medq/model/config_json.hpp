// Small helpers for reading typed values out of an untrusted config.json (private to src/model):
// JSON pointers, value descriptions for messages, and a finding sink bound to one file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medq/diag/finding.hpp"

namespace medq::detail {

/// `prefix` + "/" + `key`, with `key` escaped per RFC 6901.
std::string json_pointer(std::string_view prefix, std::string_view key);

/// A short rendering of a JSON value for messages: the value (cut to ~40 characters) and its
/// JSON type, e.g. `"2560" (a string)`.
std::string describe_json(const nlohmann::json& v);

/// Appends findings located in one JSON file.
struct FindingSink {
  std::string file;
  Findings* out = nullptr;

  void add(std::string_view code, Severity sev, std::string pointer, std::string message) const;
};

/// Outcome of reading one key.
enum class ReadStatus : uint8_t { kAbsent, kOk, kBad };

/// Reads `obj[key]` as an integer > 0 (>= 0 with `allow_zero`). JSON null counts as absent (the
/// Python config classes treat None as "use the default"). A wrong type or an out-of-range value
/// is reported as config.wrong_type / config.invalid_value.
ReadStatus read_positive(const nlohmann::json& obj, std::string_view key, const std::string& ptr,
                         const FindingSink& sink, uint64_t& out, bool allow_zero = false);

/// Reads `obj[key]` as a boolean (null = absent).
ReadStatus read_bool(const nlohmann::json& obj, std::string_view key, const std::string& ptr,
                     const FindingSink& sink, bool& out);

/// Reads `obj[key]` as a finite number > 0 (null = absent).
ReadStatus read_positive_real(const nlohmann::json& obj, std::string_view key,
                              const std::string& ptr, const FindingSink& sink, double& out);

}  // namespace medq::detail
