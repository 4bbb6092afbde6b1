// A finding: one thing medq noticed about a model, with a stable code, a severity, where it is
// and a one-line message saying what was expected and what was found. A bad model is normal
// input; checks collect findings and keep going.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medq {

enum class Severity : uint8_t { kInfo, kWarning, kError };

std::string_view severity_name(Severity s);  // "info", "warning", "error"

struct Location {
  std::string file;                      ///< path relative to the model directory
  std::string json_pointer;              ///< RFC 6901 pointer into a JSON file, if any
  std::string tensor;                    ///< tensor name, if any
  std::optional<uint64_t> byte_offset;   ///< absolute byte offset in `file`, if known
  std::optional<uint64_t> line, column;  ///< 1-based text position (JSON syntax errors)
};

struct Finding {
  std::string code;  ///< stable identifier, "<area>.<name>", e.g. "safetensors.invalid_offset"
  Severity severity = Severity::kError;
  Location where;
  std::string message;
};

using Findings = std::vector<Finding>;

/// Number of findings at severity `s`.
size_t count_severity(const Findings& f, Severity s);

/// Sorts findings into the stable order every report uses: file, then byte offset, then tensor,
/// then code, then message.
void sort_findings(Findings& f);

/// A finding located in a JSON file at `pointer` (may be empty).
Finding json_finding(std::string code, Severity severity, std::string_view file,
                     std::string pointer, std::string message);

}  // namespace medq
