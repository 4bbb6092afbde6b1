#include "medq/report/junit.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace medq {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  // Non-characters XML 1.0 forbids.
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";  // kept in attribute values, where a raw newline would become a space
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default: {
        size_t n = utf8_length(s, i);
        if (n == 0 || (n == 1 && static_cast<uint8_t>(c) < 0x20)) {
          out += "\xEF\xBF\xBD";  // U+FFFD
          ++i;
          continue;
        }
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
  }
  return out;
}

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
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, xml_escape(value));
  };
  property("target", r.target);
  property("policy", r.policy);
  property("verdict", check_verdict_name(r.verdict()));
  out += "    </properties>\n";
  const std::string classname = xml_escape("medq check " + r.target);
  for (const RuleResult& rule : e.rules) {
    out +=
        fmt::format("    <testcase name=\"{}\" classname=\"{}\"", xml_escape(rule.id), classname);
    switch (rule.status) {
      case RuleStatus::kPass:
        out += ">\n      <system-out>" + xml_escape(rule.message) + "</system-out>\n";
        break;
      case RuleStatus::kSkipped:
        out += ">\n      <skipped message=\"" + xml_escape(rule.message) + "\"/>\n";
        break;
      case RuleStatus::kFail: {
        std::string body = rule.message;
        for (const auto& d : rule.details) body += "\n" + d;
        out += ">\n      <failure message=\"" + xml_escape(rule.message) + "\" type=\"" +
               xml_escape(rule.id) + "\">" + xml_escape(body) + "</failure>\n";
        break;
      }
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace medq
