#include "medq/policy/limit_rules.hpp"

#include <fmt/format.h>

#include "medq/util/units.hpp"
#include "rule_builder.hpp"

namespace medq {

namespace {

using policy_detail::result;
using policy_detail::skipped;

RuleResult rule_limit(const std::string& id, std::string_view what, uint64_t value,
                      uint64_t limit) {
  bool pass = value <= limit;
  RuleResult r = result(id, pass,
                        fmt::format("{} {}, {} {}", what, byte_size(value),
                                    pass ? "within" : "over", byte_size(limit)));
  r.value = static_cast<double>(value);
  return r;
}

}  // namespace

std::vector<RuleResult> judge_limits(const LimitsPolicy& l, const ModelSnapshot& s,
                                     const std::string& no_weights) {
  std::vector<RuleResult> out;
  if (l.max_weight_bytes && !no_weights.empty()) {
    out.push_back(skipped("limits.max_weight_bytes", no_weights));
  } else if (l.max_weight_bytes) {
    out.push_back(
        rule_limit("limits.max_weight_bytes", "weights", s.weight_bytes, *l.max_weight_bytes));
  }
  if (l.max_directory_bytes) {
    out.push_back(rule_limit("limits.max_directory_bytes", "directory", s.directory_bytes,
                             *l.max_directory_bytes));
  }
  if (l.max_memory_bytes && !no_weights.empty()) {
    out.push_back(skipped("limits.max_memory_bytes", no_weights));
  } else if (l.max_memory_bytes) {
    std::string what = fmt::format("estimated memory at {} tokens", group_digits(s.context_tokens));
    if (!s.kv_cache_bytes) {
      out.push_back(result("limits.max_memory_bytes", false,
                           what + " unknown: config.json does not give the KV cache dimensions"));
    } else {
      out.push_back(
          rule_limit("limits.max_memory_bytes", what, s.memory_bytes, *l.max_memory_bytes));
    }
  }
  return out;
}

}  // namespace medq
