// Charts as inline SVG for the HTML reports: a scatter of points (one per variant) with
// reference lines, and horizontal bars (one per variant, or per group) with a limit line.
// Deterministic text (fixed decimals, no ids from memory), axis titles and units on every chart,
// and colours from the Okabe-Ito palette, which colour-blind readers can tell apart; every point
// and bar is also labelled in text, so colour never carries a meaning alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace medq {

struct ChartAxis {
  std::string title;  ///< with the unit: "memory (GiB)", "mean relative RMS error"
  /// How a value reads on the axis and in labels ("1.59", "3.4%").
  std::string (*format)(double) = nullptr;
};

struct ChartLine {
  double value = 0;
  std::string label;  ///< "budget 6 GiB"
};

struct ScatterPoint {
  std::string label;
  double x = 0, y = 0;
  bool marked = false;  ///< drawn larger, ringed, its label in bold (the recommended variant)
};

struct ScatterChart {
  std::string title;
  ChartAxis x, y;
  std::vector<ScatterPoint> points;
  std::optional<ChartLine> x_limit;  ///< a vertical line (a budget)
  std::optional<ChartLine> y_limit;  ///< a horizontal line (an error criterion)
};

struct Bar {
  std::string label;
  std::vector<double> values;  ///< one per series
};

struct BarChart {
  std::string title;
  ChartAxis value;
  std::vector<std::string> series;  ///< legend names; one series needs none
  std::vector<Bar> bars;
  std::optional<ChartLine> limit;  ///< a vertical line across the bars
};

/// `<svg>` elements with a width, a height and a viewBox, a <title> for screen readers.
std::string render_svg(const ScatterChart& c);
std::string render_svg(const BarChart& c);

/// Axis and label number formats (ChartAxis::format): "1.59", and "0.0123" / "1.2e+03".
std::string two_decimals(double v);
std::string three_significant(double v);

}  // namespace medq
