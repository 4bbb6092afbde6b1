#include "medq/report/quality_report.hpp"

#include <fmt/format.h>

#include "medq/util/units.hpp"

namespace medq {
namespace {

std::string num(double v) { return quality_number(v); }

std::string pct(double v) { return quality_percent(v); }

std::string percent_label(double q) { return fmt::format("{:g}%", q); }

}  // namespace

std::string quality_number(double v) { return fmt::format("{:.4g}", v); }

std::string quality_percent(double v) { return fmt::format("{:.2f}%", 100.0 * v); }

ReportSection quality_summary_section(const QualityResult& q, const std::string& reference) {
  ReportSection s;
  s.title = "Summary";
  s.table = {{"variant", "mean KLD", "+/- s.e.", "median KLD", "KLD 99%", "max KLD", "same top-1",
              "PPL", "PPL ratio", "ln ratio", "mean dp", "RMS dp"},
             {false, true, true, true, true, true, true, true, true, true, true, true},
             {}};
  s.table.rows.push_back({code_span(reference) + " (reference)", "-", "-", "-", "-", "-", "-",
                          num(q.reference.ppl), "-", "-", "-", "-"});
  for (const auto& v : q.variants) {
    std::string p99 = "-";
    for (const auto& [p, val] : v.kld.percentiles)
      if (p == 99.0) p99 = num(val);
    s.table.rows.push_back({code_span(v.label), num(v.kld.mean),
                            v.kld.standard_error ? num(*v.kld.standard_error) : "-",
                            num(v.kld.median), p99, num(v.kld.max), pct(v.top1_agreement),
                            num(v.ppl), num(v.ppl_ratio), num(v.ln_ppl_ratio), pct(v.delta_p.mean),
                            pct(v.delta_p.rms)});
  }
  s.notes_after.push_back(
      "KLD: KL(P_ref || P_variant) = sum over the vocabulary of p_ref (ln p_ref - ln p_variant), "
      "in nats, at every scored position; s.e. its standard error. same top-1: positions where "
      "both put the same token first. PPL: exp of the mean -ln p(next token) over scored "
      "positions with a next token; ln ratio = ln(PPL_variant / PPL_ref). dp: p_variant(next) - "
      "p_ref(next), in percentage points. docs/quality.md defines every number.");
  return s;
}

QualityReport build_quality_report(QualityRun run) {
  QualityReport r;
  const QualityResult& q = *run.outcome.result;
  r.headline =
      RichText(count_noun(run.variants.size(), "variant") + " measured against the reference ") +
      code_span(run.reference) +
      fmt::format(
          " ({}, float32 forward pass): {} in {} of up to {} "
          "tokens, each from an empty cache; positions {} to the end of each chunk scored: {} "
          "positions, {} with a next token in their chunk.{}",
          q.model_type, count_noun(q.tokens, "token"), count_noun(q.chunks, "chunk"),
          group_digits(q.context), q.score_from, group_digits(q.scored), group_digits(q.with_next),
          q.tokens_evaluated < q.tokens
              ? fmt::format(" The last {} have nothing to score and are not run.",
                            count_noun(q.tokens - q.tokens_evaluated, "token"))
              : "");
  if (run.text) {
    const QualityText& t = *run.text;
    r.headline +=
        RichText(" Text: ") + (t.bundled ? RichText(std::string(t.source)) : code_span(t.source)) +
        fmt::format(" ({}, SHA-256 {}), encoded with ", count_noun(t.bytes, "byte"), t.sha256) +
        code_span(t.tokenizer_file) +
        fmt::format(" (fingerprint {}) as tokenizer(text) encodes it.",
                    t.tokenizer_fingerprint.substr(0, 16));
  }
  r.sections.push_back(quality_summary_section(q, run.reference));
  auto percentile_section = [&](const std::string& title, bool kld) {
    ReportSection s;
    s.title = title;
    s.table.headers = {"variant", "max"};
    for (double p : kQualityPercentiles) s.table.headers.push_back(percent_label(p));
    s.table.headers.insert(s.table.headers.begin() + 6, "median");
    s.table.headers.push_back("min");
    s.table.right_align.assign(s.table.headers.size(), true);
    s.table.right_align[0] = false;
    for (const auto& v : q.variants) {
      const Distribution& d = kld ? v.kld : v.delta_p;
      auto f = [&](double x) { return kld ? num(x) : pct(x); };
      std::vector<RichText> row = {code_span(v.label), f(d.max)};
      for (const auto& [p, val] : d.percentiles) row.push_back(f(val));
      row.insert(row.begin() + 6, f(d.median));
      row.push_back(f(d.min));
      s.table.rows.push_back(std::move(row));
    }
    return s;
  };
  r.sections.push_back(percentile_section("KLD percentiles (nats)", true));
  {
    ReportSection s = percentile_section("dp percentiles (next token, percentage points)", false);
    s.notes_after.push_back(
        "Percentiles interpolate linearly between the sorted values (numpy's default).");
    r.sections.push_back(std::move(s));
  }
  r.run = std::move(run);
  return r;
}

}  // namespace medq
