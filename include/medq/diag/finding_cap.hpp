// Findings with a per-code cap. A hostile or badly broken file can repeat one mistake a million
// times; the report lists the first few of each code and one summary line for the rest.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "medq/diag/finding.hpp"

namespace medq {

class CappedFindings {
 public:
  /// Appends to `*out`, at most `per_code` findings for each code, plus summaries on flush().
  explicit CappedFindings(Findings* out, size_t per_code = 10) : out_(out), per_code_(per_code) {}

  void add(Finding f);
  /// Appends, for each code that went over the cap, one finding saying how many were left out.
  /// Call once, after the last add().
  void flush(const std::string& file);

 private:
  struct Count {
    size_t total = 0;
    Severity severity = Severity::kInfo;
  };
  Findings* out_;
  size_t per_code_;
  std::map<std::string, Count> counts_;
};

}  // namespace medq
