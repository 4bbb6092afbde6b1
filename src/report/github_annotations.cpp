#include "medq/report/github_annotations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "medq/policy/policy.hpp"

namespace medq {

std::string annotation_escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string annotation_escape_property(std::string_view s) {
  std::string out;
  for (char c : annotation_escape_data(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_github_annotations(const CheckReport& r) {
  std::string out;
  auto command = [&](std::string_view kind, const std::string& file, const std::string& title,
                     const std::string& message) {
    std::string props;
    if (!file.empty()) props += "file=" + annotation_escape_property(file) + ",";
    props += "title=" + annotation_escape_property(title);
    out += fmt::format("::{} {}::{}\n", kind, props, annotation_escape_data(message));
  };
  for (const RuleResult& rule : r.evaluation.rules) {
    if (rule.status == RuleStatus::kPass || rule.id == "validation") continue;
    std::string message = rule.message;
    for (const auto& d : rule.details) message += "\n" + d;
    command(rule.status == RuleStatus::kFail ? "error" : "notice", r.policy,
            "medq check: " + rule.id, message);
  }
  for (const Finding& f : r.validation.findings) {
    if (f.severity == Severity::kInfo) continue;
    bool allowed = std::any_of(r.allow.begin(), r.allow.end(),
                               [&](const std::string& a) { return code_matches(f.code, a); });
    if (allowed && f.severity == Severity::kWarning) continue;
    std::string file = (std::filesystem::path(r.target) / f.where.file).lexically_normal().string();
    if (!file.empty() && file.back() == '/') file.pop_back();
    std::string message = f.message;
    if (!f.where.tensor.empty()) message = "tensor '" + f.where.tensor + "': " + message;
    command(f.severity == Severity::kError ? "error" : "warning", file, f.code, message);
  }
  return out;
}

}  // namespace medq
