#include "medq/report/junit.hpp"

#include "medq/report/markup_escape.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace medq {

std::string render_junit(const CheckReport& r) {
  const PolicyEvaluation& e = r.evaluation;
  size_t tests = e.rules.size();
  size_t failures = e.count(RuleStatus::kFail);
  size_t skipped = e.count(RuleStatus::kSkipped);
  std::string counts =
      fmt::format(R"(tests="{}" failures="{}" errors="0" skipped="{}")", tests, failures, skipped);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"medq\" " + counts + ">\n";
  out += "  <testsuite name=\"medq check\" " + counts + ">\n";
  out += "    <properties>\n";
  auto property = [&](std::string_view name, std::string_view value) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, markup_escape(value));
  };
  property("target", r.target);
  property("policy", r.policy);
  property("verdict", check_verdict_name(r.verdict()));
  out += "    </properties>\n";
  const std::string classname = markup_escape("medq check " + r.target);
  for (const RuleResult& rule : e.rules) {
    out += fmt::format("    <testcase name=\"{}\" classname=\"{}\"", markup_escape(rule.id),
                       classname);
    switch (rule.status) {
      case RuleStatus::kPass:
        out += ">\n      <system-out>" + markup_escape(rule.message) + "</system-out>\n";
        break;
      case RuleStatus::kSkipped:
        out += ">\n      <skipped message=\"" + markup_escape(rule.message) + "\"/>\n";
        break;
      case RuleStatus::kFail: {
        std::string body = rule.message;
        for (const auto& d : rule.details) body += "\n" + d;
        out += ">\n      <failure message=\"" + markup_escape(rule.message) + "\" type=\"" +
               markup_escape(rule.id) + "\">" + markup_escape(body) + "</failure>\n";
        break;
      }
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace medq
