#include "medq/diag/finding_cap.hpp"

#include <utility>

namespace medq {

void CappedFindings::add(Finding f) {
  Count& c = counts_[f.code];
  ++c.total;
  if (f.severity > c.severity) c.severity = f.severity;
  if (c.total <= per_code_) out_->push_back(std::move(f));
}

void CappedFindings::flush(const std::string& file) {
  for (const auto& [code, c] : counts_) {
    if (c.total <= per_code_) continue;
    Finding f;
    f.code = code;
    f.severity = c.severity;
    f.where.file = file;
    f.message = std::to_string(c.total - per_code_) + " more findings with this code (" +
                std::to_string(c.total) + " in all); only the first " + std::to_string(per_code_) +
                " are listed";
    out_->push_back(std::move(f));
  }
  counts_.clear();
}

}  // namespace medq
