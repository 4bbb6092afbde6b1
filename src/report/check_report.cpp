// `medq check`: the verdict and its text, Markdown and JSON renderings.
#include "medq/report/check_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "medq/report/findings_view.hpp"
#include "medq/report/html_page.hpp"
#include "medq/report/markup_escape.hpp"
#include "medq/report/quality_json.hpp"
#include "medq/report/remote_read_view.hpp"
#include "medq/report/render.hpp"
#include "medq/report/table.hpp"
#include "medq/util/units.hpp"

namespace medq {

std::string_view check_verdict_name(CheckVerdict v) {
  switch (v) {
    case CheckVerdict::kPass:
      return "pass";
    case CheckVerdict::kInvalid:
      return "invalid";
    case CheckVerdict::kPolicyFailed:
      return "policy_failed";
  }
  return "invalid";
}

int check_verdict_exit_code(CheckVerdict v) {
  switch (v) {
    case CheckVerdict::kPass:
      return 0;
    case CheckVerdict::kInvalid:
      return 1;
    case CheckVerdict::kPolicyFailed:
      return 3;
  }
  return 1;
}

CheckVerdict CheckReport::verdict() const {
  if (!evaluation.model_valid) return CheckVerdict::kInvalid;
  if (evaluation.count(RuleStatus::kFail) > 0) return CheckVerdict::kPolicyFailed;
  return CheckVerdict::kPass;
}

namespace {

std::string quantization_line(const ModelSnapshot& m) {
  std::string s;
  for (const auto& u : m.schemes) {
    if (u.quantized) s += (s.empty() ? "" : " + ") + u.scheme;
  }
  if (s.empty() && m.tensors.empty()) return "no weights";
  return s.empty() ? "not quantized" : s;
}

std::string model_line(const CheckReport& r) {
  const ModelSnapshot& m = r.model;
  std::string memory = m.tensors.empty()  ? "unknown (no weights)"
                       : m.kv_cache_bytes ? human_bytes(m.memory_bytes)
                                          : "unknown";
  return fmt::format("model: {}, {}, weights {}, directory {}, memory @ {} tokens {}",
                     m.model_type.empty() ? "unknown type" : m.model_type, quantization_line(m),
                     human_bytes(m.weight_bytes), human_bytes(m.directory_bytes),
                     group_digits(m.context_tokens), memory);
}

std::string result_line(const CheckReport& r) {
  const PolicyEvaluation& e = r.evaluation;
  size_t total = e.rules.size();
  size_t failed = e.count(RuleStatus::kFail);
  size_t skipped = e.count(RuleStatus::kSkipped);
  std::string skipped_note = skipped ? fmt::format(", {} skipped", skipped) : "";
  switch (r.verdict()) {
    case CheckVerdict::kPass:
      return fmt::format("Result: PASS ({} of {} rules passed{})", total - skipped, total,
                         skipped_note);
    case CheckVerdict::kInvalid:
      return fmt::format("Result: FAIL (the model has {}; {} of {} rules failed{})",
                         count_noun(r.validation.errors(), "error"), failed, total, skipped_note);
    case CheckVerdict::kPolicyFailed:
      return fmt::format("Result: POLICY FAILED ({} of {} rules failed{})", failed, total,
                         skipped_note);
  }
  return "";
}

std::string status_cell(RuleStatus s) {
  return s == RuleStatus::kFail ? "FAIL" : std::string(rule_status_name(s));
}

CellMark status_mark(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPass:
      return CellMark::kPass;
    case RuleStatus::kFail:
      return CellMark::kFail;
    case RuleStatus::kSkipped:
      return CellMark::kNotEvaluated;
  }
  return CellMark::kNone;
}

// Status, rule, result per rule; the status cell marked (the HTML page colours it).
RichTable rules_table(const CheckReport& r) {
  RichTable t{{"status", "rule", "result"}, {false, false, false}, {}, {}};
  for (const auto& rule : r.evaluation.rules) {
    t.rows.push_back({status_cell(rule.status), code_span(rule.id), rule.message});
    t.marks.push_back({status_mark(rule.status)});
  }
  return t;
}

CellMark verdict_mark(CheckVerdict v) {
  return v == CheckVerdict::kPass ? CellMark::kPass : CellMark::kFail;
}

bool any_details(const CheckReport& r) {
  for (const auto& rule : r.evaluation.rules) {
    if (!rule.details.empty()) return true;
  }
  return false;
}

}  // namespace

std::string render_text(const CheckReport& r) {
  std::string out = "medq check " + r.target + "\n";
  if (r.validation.cache) out += cache_source_line(*r.validation.cache) + "\n";
  out += "policy: " + r.policy + "\n";
  out += model_line(r) + "\n";
  if (r.validation.remote) out += remote_read_line(*r.validation.remote) + "\n";
  out += result_line(r) + "\n\nRules\n";
  out += table_to_text(flatten(rules_table(r), false));
  if (any_details(r)) {
    out += "\nFailed rules\n";
    for (const auto& rule : r.evaluation.rules) {
      if (rule.details.empty()) continue;
      out += rule.id + "\n";
      for (const auto& d : rule.details) out += "  " + d + "\n";
    }
  }
  out += "\nFindings";
  if (r.validation.findings.empty()) {
    out += ": none\n";
  } else {
    out += fmt::format(" ({}, {}, {} info)\n", count_noun(r.validation.errors(), "error"),
                       count_noun(r.validation.warnings(), "warning"),
                       count_severity(r.validation.findings, Severity::kInfo));
    out += findings_to_text(r.validation.findings);
  }
  return out;
}

std::string render_markdown(const CheckReport& r) {
  std::string out = "# medq check `" + r.target + "`\n\n";
  if (r.validation.cache) out += cache_source_line(*r.validation.cache) + ".\n\n";
  out += "Policy: `" + r.policy + "`\n\n";
  std::string line = model_line(r);
  line[0] = 'M';
  out += line + "\n\n";
  if (r.validation.remote) out += remote_read_line(*r.validation.remote) + ".\n\n";
  out += "**" + result_line(r) + "**\n\n## Rules\n\n";
  out += table_to_markdown(flatten(rules_table(r), true));
  if (any_details(r)) {
    out += "\n## Failed rules\n";
    for (const auto& rule : r.evaluation.rules) {
      if (rule.details.empty()) continue;
      out += "\n`" + rule.id + "`\n\n";
      for (const auto& d : rule.details) out += "- " + d + "\n";
    }
  }
  out += "\n## Findings\n\n";
  out += r.validation.findings.empty() ? "None.\n" : findings_to_markdown(r.validation.findings);
  return out;
}

std::string render_html(const CheckReport& r) {
  std::string body;
  if (r.validation.cache)
    body += "<p>" + markup_escape(cache_source_line(*r.validation.cache)) + ".</p>\n";
  body += "<p>" + rich_html("Policy: " + code_span(r.policy)) + "</p>\n";
  std::string line = model_line(r);
  line[0] = 'M';
  body += "<p>" + markup_escape(line) + "</p>\n";
  if (r.validation.remote) {
    body += "<p>" + markup_escape(remote_read_line(*r.validation.remote)) + ".</p>\n";
  }
  ReportSection rules;
  rules.title = "Rules";
  rules.table = rules_table(r);
  body += section_html(rules);
  if (any_details(r)) {
    body += "<section>\n<h2>Failed rules</h2>\n";
    for (const auto& rule : r.evaluation.rules) {
      if (rule.details.empty()) continue;
      body += "<p><code>" + markup_escape(rule.id) + "</code></p>\n<ul>\n";
      for (const auto& d : rule.details) body += "<li>" + markup_escape(d) + "</li>\n";
      body += "</ul>\n";
    }
    body += "</section>\n";
  }
  ReportSection findings;
  findings.title = "Findings";
  const Findings& f = r.validation.findings;
  findings.notes_before.emplace_back(
      f.empty() ? "None."
                : fmt::format("{}, {}, {} info.", count_noun(r.validation.errors(), "error"),
                              count_noun(r.validation.warnings(), "warning"),
                              count_severity(f, Severity::kInfo)));
  findings.table = findings_table(f);
  body += section_html(findings);
  const CheckVerdict v = r.verdict();
  return html_page(RichText("medq check ") + code_span(r.target), result_line(r), body,
                   verdict_mark(v));
}

std::string render_json(const CheckReport& r) {
  using ojson = nlohmann::ordered_json;
  ojson j;
  j["schema_version"] = kJsonSchemaVersion;
  j["command"] = "check";
  j["target"] = r.target;
  if (const auto& c = r.validation.cache) {
    j["hf_cache"] = {{"repo_id", c->repo_id}, {"commit", c->commit}, {"refs", c->refs}};
  }
  j["policy"] = r.policy;
  if (r.validation.remote) j["remote"] = remote_read_json(*r.validation.remote);
  CheckVerdict v = r.verdict();
  j["verdict"] = std::string(check_verdict_name(v));
  j["exit_code"] = check_verdict_exit_code(v);
  const PolicyEvaluation& e = r.evaluation;
  j["rules_summary"] = {{"total", e.rules.size()},
                        {"passed", e.count(RuleStatus::kPass)},
                        {"failed", e.count(RuleStatus::kFail)},
                        {"skipped", e.count(RuleStatus::kSkipped)}};
  ojson rules = ojson::array();
  for (const auto& rule : e.rules) {
    rules.push_back({{"id", rule.id},
                     {"status", std::string(rule_status_name(rule.status))},
                     {"message", rule.message},
                     {"details", rule.details}});
  }
  j["rules"] = std::move(rules);
  if (e.quality) {
    // What the quality rules measured; not part of the model block (the baseline snapshot).
    const PolicyQuality& q = *e.quality;
    ojson jq;
    jq["reference"] = q.reference;
    jq["tokens_file"] = q.tokens_file ? ojson(*q.tokens_file) : ojson(nullptr);
    jq["reference_ppl"] = quality_sig6(q.result.reference.ppl);
    quality_run_json(jq, q.result, q.text);
    jq["model"] = variant_quality_json(q.result.variants.front());
    j["quality"] = std::move(jq);
  }
  j["deep"] = r.validation.deep;
  j["summary"] = findings_summary_json(r.validation.findings);
  j["model"] = snapshot_to_json(r.model);
  j["findings"] = findings_to_json(r.validation.findings);
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace medq
