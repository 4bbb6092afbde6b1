#include "medq/report/recommendation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "medq/analysis/memory.hpp"
#include "medq/analysis/quality_input.hpp"
#include "medq/policy/fidelity_rules.hpp"
#include "medq/policy/limit_rules.hpp"
#include "medq/policy/quality_rules.hpp"
#include "medq/report/fidelity_report.hpp"
#include "medq/report/quality_report.hpp"
#include "medq/util/units.hpp"

namespace medq {

namespace {

std::string num(double v) { return fmt::format("{:g}", v); }
std::string pct(double v) { return fmt::format("{:.2f}%", 100.0 * v); }

bool starts(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

/// The flag that sets `rule`, for messages about a criterion that came from the command line.
std::string flag_of(const std::string& rule) {
  if (rule == "quality.max_mean_kld") return "--max-kld";
  if (rule == "quality.min_top1_agreement") return "--min-top1";
  if (rule == "fidelity.max_relative_error") return "--max-rel-error";
  if (rule == "fidelity.min_cosine") return "--min-cosine";
  return "";
}

/// The criterion of `rule` with its limit (rules compare judges only).
Criterion criterion(const std::string& rule, const Policy& p, const CompareCriteria& k,
                    const std::string& source) {
  Criterion c;
  c.rule = rule;
  c.source = source;
  const auto at_most = [&](std::string name, double limit, std::string text) {
    c.name = std::move(name);
    c.limit = limit;
    c.limit_text = std::move(text);
    c.phrase = c.name + " ≤ " + c.limit_text;
  };
  const auto at_least = [&](std::string name, double limit, std::string text) {
    at_most(std::move(name), limit, std::move(text));
    c.at_most = false;
    c.phrase = c.name + " ≥ " + c.limit_text;
  };
  if (rule == "limits.max_memory_bytes") {
    const uint64_t b = *p.limits->max_memory_bytes;
    if (k.budget) {
      at_most("memory", static_cast<double>(b), k.budget->text());
      c.phrase = "fits " + k.budget->text();
    } else {
      at_most("memory", static_cast<double>(b), human_bytes(b));
      c.phrase = fmt::format("estimated memory ≤ {} at {} tokens", human_bytes(b),
                             group_digits(p.limits->context_tokens));
    }
  } else if (rule == "limits.max_weight_bytes") {
    at_most("weights", static_cast<double>(*p.limits->max_weight_bytes),
            human_bytes(*p.limits->max_weight_bytes));
  } else if (rule == "limits.max_directory_bytes") {
    at_most("directory", static_cast<double>(*p.limits->max_directory_bytes),
            human_bytes(*p.limits->max_directory_bytes));
  } else if (rule == "fidelity.max_relative_error") {
    const double v = *p.fidelity->overall.max_relative_error;
    at_most("weight rel. error", v, num(v));
  } else if (rule == "fidelity.min_cosine") {
    const double v = *p.fidelity->overall.min_cosine;
    at_least("weight cosine", v, num(v));
  } else if (starts(rule, "fidelity.components.")) {
    // fidelity.components.PART.(min_cosine|max_relative_error)
    const std::string rest = rule.substr(std::string_view("fidelity.components.").size());
    const std::string part = rest.substr(0, rest.find('.'));
    const FidelityThresholds& t = p.fidelity->components.at(part);
    if (rule.ends_with(".min_cosine")) {
      at_least(part + " cosine", *t.min_cosine, num(*t.min_cosine));
    } else {
      at_most(part + " rel. error", *t.max_relative_error, num(*t.max_relative_error));
    }
  } else if (rule == "quality.max_mean_kld") {
    at_most("mean KLD", *p.quality->max_mean_kld, num(*p.quality->max_mean_kld));
  } else if (rule == "quality.max_kld_p99") {
    at_most("KLD p99", *p.quality->max_kld_p99, num(*p.quality->max_kld_p99));
  } else if (rule == "quality.min_top1_agreement") {
    at_least("same top-1", *p.quality->min_top1_agreement, pct(*p.quality->min_top1_agreement));
  } else if (rule == "quality.max_ppl_ratio") {
    at_most("PPL ratio", *p.quality->max_ppl_ratio, num(*p.quality->max_ppl_ratio));
  }
  return c;
}

bool judged_by_compare(const std::string& rule) {
  return starts(rule, "limits.") || starts(rule, "fidelity.") || starts(rule, "quality.");
}

/// The policy's quality input is the one --quality runs: the thresholds mean something only on it.
void check_quality_input(const QualityPolicy& q, const CompareOptions& o) {
  std::string err;
  const std::optional<QualityInputData> mine =
      load_quality_input(q.tokens ? q.tokens->string() : "", q.text ? q.text->string() : "", &err);
  if (!mine) {
    throw std::invalid_argument(std::string("policy.quality.") + (q.tokens ? "tokens" : "text") +
                                ": " + err);
  }
  const QualityInput a = mine->view();
  const QualityInput& b = *o.quality;
  const bool same_input =
      a.bundled == b.bundled && a.text.has_value() == b.text.has_value() &&
      (a.text ? *a.text == *b.text
              : std::equal(a.tokens.begin(), a.tokens.end(), b.tokens.begin(), b.tokens.end()));
  if (!same_input || q.context != o.quality_options.context ||
      q.score_from != o.quality_options.score_from) {
    throw std::invalid_argument(fmt::format(
        "policy.quality: the policy's thresholds are for {}, context {}, scored from {}; "
        "--quality runs {}, context {}, scored from {}: give compare the same --tokens/--text, "
        "--quality-context and --score-from",
        a.bundled ? "the " + a.source : a.source, q.context,
        q.score_from ? std::to_string(*q.score_from) : "half the chunk",
        b.bundled ? "the " + b.source : b.source, o.quality_options.context,
        o.quality_options.score_from ? std::to_string(*o.quality_options.score_from)
                                     : "half the chunk"));
  }
}

/// The policy's reference variant becomes the baseline (or must be it).
void check_reference(const std::optional<std::filesystem::path>& ref, std::string_view key,
                     std::span<const CompareInput> inputs, std::string& baseline) {
  if (!ref) return;
  const std::optional<size_t> i = find_variant(inputs, ref->string());
  if (!i) {
    throw std::invalid_argument(fmt::format(
        "{}: '{}' is not one of the compared variants; compare measures every variant against "
        "its baseline, which must be one of them",
        key, ref->string()));
  }
  if (baseline.empty()) {
    baseline = inputs[*i].label;
  } else if (find_variant(inputs, baseline) != i) {
    throw std::invalid_argument(
        fmt::format("{}: '{}' is not the --baseline '{}': compare measures against one baseline",
                    key, ref->string(), baseline));
  }
}

}  // namespace

CompareCriteria make_criteria(const CriteriaRequest& request, const CompareOptions& options,
                              std::span<const CompareInput> inputs, std::string& baseline) {
  CompareCriteria k;
  Policy& p = k.policy;
  bool file_quality = false;
  if (!request.policy.empty()) {
    PolicyParse parsed = read_policy(request.policy);
    if (!parsed.policy) {
      throw std::invalid_argument("--policy '" + request.policy.string() + "': " + parsed.error);
    }
    p = std::move(*parsed.policy);
    k.policy_file = request.policy.string();
    file_quality = p.quality && p.quality->any_threshold();
    check_reference(p.fidelity ? p.fidelity->reference : std::nullopt, "policy.fidelity.reference",
                    inputs, baseline);
    check_reference(p.quality ? p.quality->reference : std::nullopt, "policy.quality.reference",
                    inputs, baseline);
  }
  std::set<std::string> from_flag;
  if (options.memory_budget) {
    if (!p.limits) p.limits = LimitsPolicy{};
    p.limits->max_memory_bytes = options.memory_budget->bytes;
    p.limits->context_tokens = options.context;
    k.budget = options.memory_budget;
    from_flag.insert("limits.max_memory_bytes");
  }
  const auto quality = [&]() -> QualityPolicy& {
    if (!p.quality) p.quality = QualityPolicy{};
    return *p.quality;
  };
  const auto fidelity = [&]() -> FidelityPolicy& {
    if (!p.fidelity) p.fidelity = FidelityPolicy{};
    return *p.fidelity;
  };
  if (request.max_kld) quality().max_mean_kld = *request.max_kld;
  if (request.min_top1) quality().min_top1_agreement = *request.min_top1;
  if (request.max_rel_error) fidelity().overall.max_relative_error = *request.max_rel_error;
  if (request.min_cosine) fidelity().overall.min_cosine = *request.min_cosine;
  for (const auto& [set, rule] :
       {std::pair{request.max_kld.has_value(), "quality.max_mean_kld"},
        {request.min_top1.has_value(), "quality.min_top1_agreement"},
        {request.max_rel_error.has_value(), "fidelity.max_relative_error"},
        {request.min_cosine.has_value(), "fidelity.min_cosine"}}) {
    if (set) from_flag.insert(rule);
  }
  for (const std::string& rule : policy_rules(p)) {
    if (rule == "validation") continue;
    if (!judged_by_compare(rule)) {
      k.not_evaluated.push_back(rule);
      continue;
    }
    const bool flag = from_flag.count(rule) > 0;
    const std::string named =
        flag ? (rule == "limits.max_memory_bytes" ? "--memory-budget" : flag_of(rule))
             : "policy." + rule + " (" + k.policy_file + ")";
    if (starts(rule, "fidelity.") && !options.fidelity) {
      throw std::invalid_argument(
          named + " needs --fidelity: the weights' error is measured only when they are read");
    }
    if (starts(rule, "quality.") && !options.quality) {
      throw std::invalid_argument(
          named + " needs --quality: the output distribution is measured by the forward passes");
    }
    k.criteria.push_back(criterion(rule, p, k, flag ? named : "policy"));
  }
  if (file_quality && options.quality) check_quality_input(*p.quality, options);
  return k;
}

bool VariantJudgement::meets() const {
  return std::all_of(results.begin(), results.end(),
                     [](const RuleResult& r) { return r.status == RuleStatus::kPass; });
}

namespace {

RuleResult rule(std::string id, RuleStatus status, std::string message,
                std::optional<double> value = std::nullopt) {
  RuleResult r;
  r.id = std::move(id);
  r.status = status;
  r.message = std::move(message);
  r.value = value;
  return r;
}

/// What the baseline measures against itself, by definition.
double identity_value(const std::string& rule) {
  return rule.ends_with("min_cosine") || rule == "quality.min_top1_agreement" ||
                 rule == "quality.max_ppl_ratio"
             ? 1.0
             : 0.0;
}

/// The results of the rules in `family` ("fidelity." or "quality.") for one variant.
void judge_measured(const std::string& family, const std::vector<Criterion>& criteria,
                    const std::vector<RuleResult>& judged, bool is_baseline,
                    const std::string& not_measured, std::vector<RuleResult>& out) {
  for (const Criterion& k : criteria) {
    if (!starts(k.rule, family)) continue;
    if (is_baseline) {
      out.push_back(rule(k.rule, RuleStatus::kPass,
                         "the baseline: what the others are measured against",
                         identity_value(k.rule)));
      continue;
    }
    auto it = std::find_if(judged.begin(), judged.end(),
                           [&](const RuleResult& r) { return r.id == k.rule; });
    if (it == judged.end()) {
      out.push_back(rule(k.rule, RuleStatus::kSkipped, not_measured));
    } else {
      out.push_back(*it);
    }
  }
}

VariantJudgement judge_variant(const Comparison& c, size_t i, const CompareCriteria& k) {
  const CompareVariant& v = c.variants[i];
  const Policy& p = k.policy;
  VariantJudgement j;
  if (v.stats.errors == 0) {
    j.results.push_back(rule("validation", RuleStatus::kPass, "no errors"));
  } else {
    std::string codes;
    for (const auto& [code, n] : v.stats.error_codes) codes += (codes.empty() ? "" : ", ") + code;
    j.results.push_back(rule("validation", RuleStatus::kFail,
                             fmt::format("the variant is invalid: {} ({})",
                                         count_noun(v.stats.errors, "error"), codes)));
  }
  if (p.limits) {
    ModelSnapshot s;
    s.weight_bytes = v.stats.tensor_bytes;
    s.directory_bytes = v.stats.directory_bytes;
    s.context_tokens = p.limits->context_tokens;
    MemoryEstimate m = v.memory;
    if (p.limits->context_tokens != c.context) {
      m = estimate_memory(v.stats.arch ? &*v.stats.arch : nullptr, v.memory.weights,
                          p.limits->context_tokens, v.memory.kv_dtype, std::nullopt);
    }
    s.kv_cache_bytes = m.kv_cache;
    s.memory_bytes = m.total;
    const std::string no_weights =
        v.stats.weight_files == 0 ? "the weights are missing: nothing to measure" : "";
    for (RuleResult& r : judge_limits(*p.limits, s, no_weights)) j.results.push_back(std::move(r));
  }
  const bool baseline = i == c.baseline;
  if (p.fidelity) {
    std::vector<RuleResult> judged;
    if (v.fidelity) judged = judge_fidelity(*p.fidelity, *v.fidelity, "");
    judge_measured(
        "fidelity.", k.criteria, judged, baseline,
        v.stats.errors ? "not measured: the variant has validation errors" : "not measured",
        j.results);
  }
  if (p.quality) {
    std::vector<RuleResult> judged;
    const bool run = c.quality && c.quality->result;
    if (run && v.quality) judged = judge_quality(*p.quality, *v.quality, *c.quality->result, "");
    std::string why = !c.quality           ? "not measured"
                      : !c.quality->result ? "not measured: " + c.quality->not_measured
                      : v.stats.errors     ? "not evaluated: validation errors"
                                           : "not measured";
    judge_measured("quality.", k.criteria, judged, baseline && run, why, j.results);
  }
  return j;
}

/// "memory 5.81 MB > 5 MB", "mean KLD not measured", "validation errors (index.stale)".
std::string failure(const RuleResult& r, const Recommendation& rec) {
  if (r.id == "validation") return "validation errors";
  auto k = std::find_if(rec.criteria.begin(), rec.criteria.end(),
                        [&](const Criterion& c) { return c.rule == r.id; });
  if (k == rec.criteria.end()) return r.id;
  if (r.status == RuleStatus::kSkipped) return k->name + " not measured";
  if (!r.value) return k->name + " unknown";
  return fmt::format("{} {} {} {}", k->name, criterion_value(*k, *r.value, rec.budget),
                     k->at_most ? ">" : "<", k->limit_text);
}

std::string and_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  }
  return out;
}

}  // namespace

std::string criterion_value(const Criterion& k, double value,
                            const std::optional<MemoryBudget>& budget) {
  if (starts(k.rule, "limits.")) {
    const auto bytes = static_cast<uint64_t>(value);
    return k.rule == "limits.max_memory_bytes" && budget ? budget->in_unit(bytes)
                                                         : human_bytes(bytes);
  }
  // As the Summary shows the same numbers.
  if (k.rule == "quality.min_top1_agreement") return quality_percent(value);
  if (starts(k.rule, "quality.")) return quality_number(value);
  return format_metric(value, k.rule.ends_with("min_cosine") ? 6 : 4);
}

Recommendation recommend(const Comparison& c, const CompareCriteria& k) {
  Recommendation r;
  r.criteria = k.criteria;
  r.not_evaluated = k.not_evaluated;
  r.policy_file = k.policy_file;
  r.budget = k.budget;
  r.context = c.context;
  if (k.criteria.empty()) {
    r.sentence =
        "No recommendation: no criteria given. With --memory-budget SIZE, --max-rel-error X or "
        "--min-cosine C (with --fidelity), --max-kld X or --min-top1 F (with --quality), or "
        "--policy FILE, compare names the smallest variant that meets them all.";
    return r;
  }
  for (size_t i = 0; i < c.variants.size(); ++i) r.variants.push_back(judge_variant(c, i, k));
  if (count_severity(c.findings, Severity::kError) > 0) {
    r.sentence = "No recommendation: the variants are not one model (" +
                 code_span("compare.different_models") +
                 "), so their sizes and errors do not compare.";
    return r;
  }
  for (size_t i = 0; i < c.variants.size(); ++i) {
    if (!r.variants[i].meets()) continue;
    if (!r.recommended) {
      r.recommended = i;
      continue;
    }
    const CompareVariant& a = c.variants[i];
    const CompareVariant& b = c.variants[*r.recommended];
    // Smaller memory, then less tensor data; on a full tie the earlier (more precise) stays.
    if (a.memory.total < b.memory.total ||
        (a.memory.total == b.memory.total && a.stats.tensor_bytes < b.stats.tensor_bytes)) {
      r.recommended = i;
    }
  }
  std::string fits;
  std::vector<std::string> with;
  for (const Criterion& x : k.criteria) {
    if (x.phrase.starts_with("fits ")) {
      fits = x.phrase;
    } else {
      with.push_back(x.phrase);
    }
  }
  if (r.recommended) {
    const size_t meeting = static_cast<size_t>(std::count_if(
        r.variants.begin(), r.variants.end(), [](const VariantJudgement& j) { return j.meets(); }));
    std::string what = "the smallest variant";
    if (!fits.empty()) what += " that " + fits;
    if (!with.empty()) what += " with " + and_list(with);
    r.sentence =
        "Recommended: " + code_span(c.variants[*r.recommended].stats.label) +
        fmt::format(" — {} ({} of {} meet every criterion).", what, meeting, c.variants.size());
    return r;
  }
  r.sentence = "No variant meets the criteria: ";
  for (size_t i = 0; i < c.variants.size(); ++i) {
    std::vector<std::string> failed;
    for (const RuleResult& x : r.variants[i].results) {
      if (x.status != RuleStatus::kPass) failed.push_back(failure(x, r));
    }
    r.sentence += (i ? "; " : "") + code_span(c.variants[i].stats.label) + ": " + and_list(failed);
  }
  r.sentence += ".";
  return r;
}

ReportSection decision_section(const Recommendation& r, const Comparison& c) {
  ReportSection s;
  s.title = "Decision";
  s.key = "decision";
  s.notes_before.push_back(r.sentence);
  if (r.criteria.empty()) return s;
  s.table.headers = {"variant"};
  s.table.right_align = {false};
  for (const Criterion& k : r.criteria) {
    s.table.headers.emplace_back(k.phrase);
    s.table.right_align.push_back(true);
  }
  s.table.headers.emplace_back("verdict");
  s.table.right_align.push_back(false);
  for (size_t i = 0; i < c.variants.size() && i < r.variants.size(); ++i) {
    const VariantJudgement& j = r.variants[i];
    std::vector<RichText> row = {code_span(c.variants[i].stats.label)};
    std::vector<CellMark> marks = {CellMark::kNone};
    std::vector<std::string> failed;
    for (const RuleResult& x : j.results) {
      if (x.status != RuleStatus::kPass) {
        failed.push_back(x.id == "validation" ? "validation" : x.id);
      }
      if (x.id == "validation") continue;
      auto k = std::find_if(r.criteria.begin(), r.criteria.end(),
                            [&](const Criterion& y) { return y.rule == x.id; });
      marks.push_back(x.status == RuleStatus::kPass   ? CellMark::kPass
                      : x.status == RuleStatus::kFail ? CellMark::kFail
                                                      : CellMark::kNotEvaluated);
      if (x.status == RuleStatus::kSkipped) {
        row.emplace_back("not measured");
      } else if (!x.value) {
        row.emplace_back(x.status == RuleStatus::kPass ? "pass" : "FAIL (unknown)");
      } else {
        std::string cell = criterion_value(*k, *x.value, r.budget);
        // The headroom against the budget, in its unit.
        if (x.id == "limits.max_memory_bytes" && r.budget && c.variants[i].memory.headroom) {
          cell += " (" + r.budget->headroom_text(*c.variants[i].memory.headroom) + ")";
        }
        row.emplace_back(cell + (x.status == RuleStatus::kPass ? " pass" : " FAIL"));
      }
    }
    std::string verdict;
    if (r.recommended == i) {
      verdict = "RECOMMENDED";
    } else if (j.meets()) {
      verdict = "meets every criterion";
    } else if (j.results.front().status != RuleStatus::kPass) {
      verdict = "invalid (see Validation)";
    } else {
      verdict = failed.size() == 1 ? "fails 1 criterion"
                                   : fmt::format("fails {} criteria", failed.size());
    }
    row.emplace_back(verdict);
    marks.push_back(j.meets() ? CellMark::kPass : CellMark::kFail);
    s.table.rows.push_back(std::move(row));
    s.table.marks.push_back(std::move(marks));
  }
  s.notes_after.push_back(fmt::format(
      "Smallest: the lowest estimated memory at inference at {} tokens (what a budget "
      "constrains), then the least tensor data; a variant with validation errors is never "
      "recommended; the baseline meets the error criteria by definition.",
      group_digits(r.context)));
  if (!r.policy_file.empty()) {
    RichText note = "Policy file: " + code_span(r.policy_file) + ".";
    if (!r.not_evaluated.empty()) {
      note += " Not evaluated here (";
      for (size_t i = 0; i < r.not_evaluated.size(); ++i) {
        note += (i ? ", " : "") + code_span(r.not_evaluated[i]);
      }
      note += "): " + code_span("medq check") + " judges them.";
    }
    s.notes_after.push_back(std::move(note));
  }
  return s;
}

}  // namespace medq
