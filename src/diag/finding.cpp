#include "medq/diag/finding.hpp"

#include <algorithm>
#include <tuple>

namespace medq {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

size_t count_severity(const Findings& f, Severity s) {
  return static_cast<size_t>(
      std::count_if(f.begin(), f.end(), [s](const Finding& x) { return x.severity == s; }));
}

void sort_findings(Findings& f) {
  auto key = [](const Finding& x) {
    return std::tie(x.where.file, x.where.byte_offset, x.where.json_pointer, x.where.tensor, x.code,
                    x.message);
  };
  std::stable_sort(f.begin(), f.end(),
                   [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
}

Finding json_finding(std::string code, Severity severity, std::string_view file,
                     std::string pointer, std::string message) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.where.file = std::string(file);
  f.where.json_pointer = std::move(pointer);
  f.message = std::move(message);
  return f;
}

}  // namespace medq
