// HTML renderings of the reports laid out in sections (compare, fidelity): one self-contained page
// (styles inline, charts as inline SVG, a Content-Security-Policy that lets the page load
// nothing), the same sections as the Markdown report, and the charts drawn from the report's
// numbers. Deterministic bytes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "medq/report/html_page.hpp"
#include "medq/report/markup_escape.hpp"
#include "medq/report/render.hpp"
#include "medq/report/svg_chart.hpp"

namespace medq {

namespace {

/// The sections, with `charts` after the summary (or the first section when there is none: the
/// decision, the summary and their picture on the first screen, the details below).
std::string sections_html(const std::vector<ReportSection>& sections, const std::string& charts) {
  std::string out;
  if (sections.empty()) out += charts;
  const auto summary = std::find_if(sections.begin(), sections.end(),
                                    [](const ReportSection& s) { return s.title == "Summary"; });
  const ReportSection* after = summary != sections.end() ? &*summary : nullptr;
  for (const ReportSection& s : sections) {
    out += section_html(s);
    if (&s == (after ? after : &sections.front())) out += charts;
  }
  return out;
}

std::string figure(const std::string& svg, const std::string& caption) {
  return "<figure>\n" + svg + "\n<figcaption>" + markup_escape(caption) +
         "</figcaption>\n</figure>\n";
}

/// Bytes in the unit of the budget when there is one, else GiB.
struct MemoryUnit {
  std::string name = "GiB";
  double bytes = 1024.0 * 1024 * 1024;
};

MemoryUnit memory_unit(const Comparison& c) {
  MemoryUnit u;
  if (c.memory_budget) {
    u.name = c.memory_budget->unit;
    u.bytes = c.memory_budget->unit_bytes;
  }
  return u;
}

/// The limit of the criterion `rule`, when the decision has one.
std::optional<double> criterion_limit(const Recommendation& r, std::string_view rule) {
  for (const Criterion& k : r.criteria)
    if (k.rule == rule) return k.limit;
  return std::nullopt;
}

std::string compare_charts(const CompareReport& r) {
  const Comparison& c = r.comparison;
  const Recommendation& rec = r.recommendation;
  const MemoryUnit unit = memory_unit(c);
  std::string out = "<section>\n<h2>Charts</h2>\n";
  BarChart memory;
  memory.title = "Estimated memory per variant";
  memory.value = {"memory (" + unit.name + ")", two_decimals};
  for (size_t i = 0; i < c.variants.size(); ++i) {
    const CompareVariant& v = c.variants[i];
    memory.bars.push_back({v.stats.label + (rec.recommended == i ? " (recommended)" : ""),
                           {static_cast<double>(v.memory.total) / unit.bytes}});
  }
  if (c.memory_budget) {
    memory.limit = ChartLine{static_cast<double>(c.memory_budget->bytes) / unit.bytes,
                             "budget " + c.memory_budget->text()};
  }
  out += figure(render_svg(memory),
                "Weights, KV cache at " + std::to_string(c.context) +
                    " tokens and runtime overhead per variant" +
                    (c.memory_budget ? ", against the budget (dashed line)." : "."));

  // Memory against error: mean KLD when measured, else the weights' relative error.
  bool kld = false, fidelity = false;
  for (const CompareVariant& v : c.variants) {
    kld = kld || v.quality.has_value();
    fidelity = fidelity || (v.fidelity && v.fidelity->overall.mean_rel_rms);
  }
  if (kld || fidelity) {
    ScatterChart s;
    s.title = kld ? "Memory against output divergence" : "Memory against weight error";
    s.x = {"memory (" + unit.name + ")", two_decimals};
    s.y = {kld ? "mean KL divergence (nats) against the baseline"
               : "mean relative RMS error of the weights",
           three_significant};
    for (size_t i = 0; i < c.variants.size(); ++i) {
      const CompareVariant& v = c.variants[i];
      double y = 0;
      if (i != c.baseline) {
        if (kld && v.quality) {
          y = v.quality->kld.mean;
        } else if (!kld && v.fidelity && v.fidelity->overall.mean_rel_rms) {
          y = *v.fidelity->overall.mean_rel_rms;
        } else {
          continue;  // not measured (an invalid variant)
        }
      }
      s.points.push_back({v.stats.label, static_cast<double>(v.memory.total) / unit.bytes, y,
                          rec.recommended == i});
    }
    if (c.memory_budget) {
      s.x_limit = ChartLine{static_cast<double>(c.memory_budget->bytes) / unit.bytes,
                            "budget " + c.memory_budget->text()};
    }
    // The error criterion on this chart's axis, as a horizontal line.
    const std::string_view rule = kld ? "quality.max_mean_kld" : "fidelity.max_relative_error";
    if (const std::optional<double> limit = criterion_limit(rec, rule)) {
      s.y_limit = ChartLine{
          *limit, (kld ? "max. mean KLD " : "max. rel. error ") + three_significant(*limit)};
    }
    out +=
        figure(render_svg(s), std::string("One point per variant; the baseline sits at 0. ") +
                                  (kld ? "From --quality." : "From --fidelity.") +
                                  (rec.recommended ? " The recommended variant is ringed." : "") +
                                  (s.y_limit ? " Dotted line: the error criterion." : ""));
  }
  if (fidelity) {
    BarChart parts;
    parts.title = "Weight error per part of the model";
    parts.value = {"mean relative RMS error", three_significant};
    std::vector<ModelPart> present;
    for (const ModelPart p : kModelParts) {
      for (const CompareVariant& v : c.variants)
        if (v.fidelity && v.fidelity->parts.count(p) && v.fidelity->parts.at(p).mean_rel_rms) {
          present.push_back(p);
          break;
        }
    }
    for (const ModelPart p : present) parts.series.emplace_back(model_part_name(p));
    for (const CompareVariant& v : c.variants) {
      if (!v.fidelity) continue;
      Bar b{v.stats.label, {}};
      for (const ModelPart p : present) {
        const auto it = v.fidelity->parts.find(p);
        b.values.push_back(it != v.fidelity->parts.end() && it->second.mean_rel_rms
                               ? *it->second.mean_rel_rms
                               : 0.0);
      }
      parts.bars.push_back(std::move(b));
    }
    out += figure(render_svg(parts), "Parameter-weighted mean per part, against the baseline.");
  }
  if (!kld && !fidelity) {
    out +=
        "<p>Run with <code>--fidelity</code> or <code>--quality</code> for the error "
        "charts.</p>\n";
  }
  return out + "</section>\n";
}

std::string fidelity_charts(const FidelityReport& r) {
  std::string out = "<section>\n<h2>Charts</h2>\n";
  for (const VariantFidelity& v : r.variants) {
    std::vector<const TensorFidelity*> worst;
    for (const TensorFidelity& t : v.tensors)
      if (t.sums.rel_rms()) worst.push_back(&t);
    std::stable_sort(worst.begin(), worst.end(), [](const auto* a, const auto* b) {
      return *a->sums.rel_rms() > *b->sums.rel_rms();
    });
    if (worst.size() > r.top) worst.resize(r.top);
    if (worst.empty()) continue;
    BarChart c;
    c.title = "Worst tensors of " + v.label;
    c.value = {"relative RMS error against " + v.reference, three_significant};
    for (const TensorFidelity* t : worst) {
      std::string name = t->name;
      if (name.size() > 22) name = "…" + name.substr(name.size() - 21);
      c.bars.push_back({name, {*t->sums.rel_rms()}});
    }
    out += figure(render_svg(c), "The " + std::to_string(worst.size()) + " tensors of " + v.label +
                                     " with the largest relative RMS error (names shortened).");
  }
  return out + "</section>\n";
}

}  // namespace

std::string render_html(const CompareReport& r) {
  // The charts picture the summary's numbers: they come with it.
  return html_page(report_title("medq compare", r.model_name), r.headline,
                   sections_html(shown_sections(r.sections, r.selection),
                                 r.selection.shows("summary") ? compare_charts(r) : ""));
}

std::string render_html(const FidelityReport& r) {
  return html_page(report_title("medq fidelity", r.model_name), r.headline,
                   sections_html(r.sections, fidelity_charts(r)));
}

}  // namespace medq
