#include "medq/report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "medq/report/markup_escape.hpp"

namespace medq {

namespace {

// Okabe & Ito's palette (blue, vermillion, bluish green, orange, reddish purple, sky blue,
// yellow), told apart by readers with any of the common colour-vision deficiencies.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                    "#CC79A7", "#56B4E9", "#F0E442"};
constexpr size_t kColours = sizeof(kPalette) / sizeof(kPalette[0]);

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string fmt_value(const ChartAxis& a, double v) {
  return a.format ? a.format(v) : three_significant(v);
}

/// A "nice" tick step (1, 2 or 5 times a power of ten) that gives about `n` ticks over [0, hi].
double tick_step(double hi, int n) {
  if (!(hi > 0)) return 1;
  const double raw = hi / n;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10 * p;
}

/// The axis maximum: the largest value (and limit) with 10 % room, rounded up to a tick.
double axis_max(double largest) {
  if (!(largest > 0) || !std::isfinite(largest)) return 1;
  const double step = tick_step(largest * 1.1, 5);
  return std::ceil(largest * 1.1 / step) * step;
}

std::string text_el(double x, double y, const std::string& s, const char* anchor = "start",
                    const char* extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + markup_escape(s) + "</text>";
}

std::string svg_open(int w, int h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + std::to_string(w) +
         "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) + " " +
         std::to_string(h) + "\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\"><title>" +
         markup_escape(title) + "</title>" +
         text_el(w / 2.0, 20, title, "middle", " font-size=\"14\" font-weight=\"bold\"");
}

}  // namespace

std::string two_decimals(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string three_significant(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

std::string render_svg(const ScatterChart& c) {
  constexpr int kW = 640, kH = 400, kL = 80, kR = 30, kT = 40, kB = 60;
  double xmax = 0, ymax = 0;
  for (const ScatterPoint& p : c.points) {
    xmax = std::max(xmax, p.x);
    ymax = std::max(ymax, p.y);
  }
  if (c.x_limit) xmax = std::max(xmax, c.x_limit->value);
  if (c.y_limit) ymax = std::max(ymax, c.y_limit->value);
  xmax = axis_max(xmax);
  ymax = axis_max(ymax);
  const double pw = kW - kL - kR, ph = kH - kT - kB;
  const auto px = [&](double v) { return kL + v / xmax * pw; };
  const auto py = [&](double v) { return kT + ph - v / ymax * ph; };
  std::string s = svg_open(kW, kH, c.title);
  // Grid and ticks.
  for (int axis = 0; axis < 2; ++axis) {
    const double hi = axis == 0 ? xmax : ymax;
    const double step = tick_step(hi, 5);
    for (double v = 0; v <= hi * (1 + 1e-9); v += step) {
      if (axis == 0) {
        s += "<line x1=\"" + num(px(v)) + "\" y1=\"" + num(kT) + "\" x2=\"" + num(px(v)) +
             "\" y2=\"" + num(kT + ph) + "\" stroke=\"#ddd\"/>";
        s += text_el(px(v), kT + ph + 16, fmt_value(c.x, v), "middle");
      } else {
        s += "<line x1=\"" + num(kL) + "\" y1=\"" + num(py(v)) + "\" x2=\"" + num(kL + pw) +
             "\" y2=\"" + num(py(v)) + "\" stroke=\"#ddd\"/>";
        s += text_el(kL - 6, py(v) + 4, fmt_value(c.y, v), "end");
      }
    }
  }
  s += "<rect x=\"" + num(kL) + "\" y=\"" + num(kT) + "\" width=\"" + num(pw) + "\" height=\"" +
       num(ph) + "\" fill=\"none\" stroke=\"#333\"/>";
  s += text_el(kL + pw / 2, kH - 14, c.x.title, "middle");
  s += "<text x=\"16\" y=\"" + num(kT + ph / 2) +
       "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " + num(kT + ph / 2) + ")\">" +
       markup_escape(c.y.title) + "</text>";
  // Criterion lines, dashed, labelled.
  if (c.x_limit) {
    const double x = px(c.x_limit->value);
    s += "<line class=\"limit\" x1=\"" + num(x) + "\" y1=\"" + num(kT) + "\" x2=\"" + num(x) +
         "\" y2=\"" + num(kT + ph) + "\" stroke=\"#000\" stroke-dasharray=\"6 4\"/>";
    s += text_el(x - 4, kT + 14, c.x_limit->label, "end");
  }
  if (c.y_limit) {
    const double y = py(c.y_limit->value);
    s += "<line class=\"limit\" x1=\"" + num(kL) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kL + pw) +
         "\" y2=\"" + num(y) + "\" stroke=\"#000\" stroke-dasharray=\"2 3\"/>";
    s += text_el(kL + pw - 4, y - 5, c.y_limit->label, "end");
  }
  // The points, each labelled with its name.
  for (size_t i = 0; i < c.points.size(); ++i) {
    const ScatterPoint& p = c.points[i];
    const double x = px(p.x), y = py(p.y);
    if (p.marked) {
      s += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) +
           "\" r=\"11\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>";
    }
    s += "<circle class=\"point\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"6\" fill=\"" +
         kPalette[i % kColours] + "\" stroke=\"#000\" stroke-width=\"0.5\"/>";
    s += text_el(x + 12, y - 8, p.label + (p.marked ? " (recommended)" : ""), "start",
                 p.marked ? " font-weight=\"bold\"" : "");
  }
  return s + "</svg>";
}

std::string render_svg(const BarChart& c) {
  constexpr int kW = 640, kL = 150, kR = 90, kT = 40, kB = 56, kBarH = 14, kGap = 12;
  const size_t series = std::max<size_t>(1, c.series.size());
  const int group_h = static_cast<int>(series) * kBarH + kGap;
  const int legend_h = c.series.size() > 1 ? 20 : 0;
  const int kH = kT + legend_h + static_cast<int>(c.bars.size()) * group_h + kB;
  double vmax = 0;
  for (const Bar& b : c.bars)
    for (const double v : b.values) vmax = std::max(vmax, v);
  if (c.limit) vmax = std::max(vmax, c.limit->value);
  vmax = axis_max(vmax);
  const double pw = kW - kL - kR;
  const double top = kT + legend_h;
  const double ph = static_cast<double>(c.bars.size()) * group_h;
  const auto px = [&](double v) { return kL + v / vmax * pw; };
  std::string s = svg_open(kW, kH, c.title);
  if (c.series.size() > 1) {
    double x = kL;
    for (size_t k = 0; k < c.series.size(); ++k) {
      s += "<rect x=\"" + num(x) + "\" y=\"" + num(kT - 2) +
           "\" width=\"12\" height=\"12\" fill=\"" + kPalette[k % kColours] + "\"/>";
      s += text_el(x + 16, kT + 8, c.series[k]);
      x += 24 + 7.0 * static_cast<double>(c.series[k].size());
    }
  }
  const double step = tick_step(vmax, 5);
  for (double v = 0; v <= vmax * (1 + 1e-9); v += step) {
    s += "<line x1=\"" + num(px(v)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(v)) + "\" y2=\"" +
         num(top + ph) + "\" stroke=\"#ddd\"/>";
    s += text_el(px(v), top + ph + 16, fmt_value(c.value, v), "middle");
  }
  for (size_t i = 0; i < c.bars.size(); ++i) {
    const Bar& b = c.bars[i];
    const double y0 = top + static_cast<double>(i) * group_h + kGap / 2.0;
    s += text_el(kL - 8, y0 + static_cast<double>(series) * kBarH / 2 + 4, b.label, "end");
    for (size_t k = 0; k < b.values.size(); ++k) {
      const double y = y0 + static_cast<double>(k) * kBarH;
      const char* colour = kPalette[(c.series.size() > 1 ? k : i) % kColours];
      s += "<rect class=\"bar\" x=\"" + num(kL) + "\" y=\"" + num(y) + "\" width=\"" +
           num(std::max(1.0, px(b.values[k]) - kL)) + "\" height=\"" + num(kBarH - 2) +
           "\" fill=\"" + colour + "\"/>";
      s += text_el(px(b.values[k]) + 4, y + kBarH - 4, fmt_value(c.value, b.values[k]), "start",
                   " font-size=\"11\"");
    }
  }
  s += "<line x1=\"" + num(kL) + "\" y1=\"" + num(top) + "\" x2=\"" + num(kL) + "\" y2=\"" +
       num(top + ph) + "\" stroke=\"#333\"/>";
  if (c.limit) {
    const double x = px(c.limit->value);
    s += "<line class=\"limit\" x1=\"" + num(x) + "\" y1=\"" + num(top - 4) + "\" x2=\"" + num(x) +
         "\" y2=\"" + num(top + ph) + "\" stroke=\"#000\" stroke-dasharray=\"6 4\"/>";
    s += text_el(x, top + ph + 32, c.limit->label, "middle");
  }
  s += text_el(kL + pw / 2, kH - 6, c.value.title, "middle");
  return s + "</svg>";
}

}  // namespace medq
