#include "medq/quality/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace medq {

double percentile_sorted(std::span<const double> sorted, double q) {
  const double rank = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Distribution summarize(std::span<const double> values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  std::vector<double> s(values.begin(), values.end());
  std::sort(s.begin(), s.end());
  double sum = 0, sum2 = 0;
  for (double v : s) {
    sum += v;
    sum2 += v * v;
  }
  const double n = static_cast<double>(s.size());
  d.mean = sum / n;
  d.rms = std::sqrt(sum2 / n);
  if (s.size() > 1) {
    double dev = 0;
    for (double v : s) dev += (v - d.mean) * (v - d.mean);
    d.standard_error = std::sqrt(dev / (n - 1)) / std::sqrt(n);
  }
  d.median = percentile_sorted(s, 50);
  d.min = s.front();
  d.max = s.back();
  for (double q : kQualityPercentiles) d.percentiles.emplace_back(q, percentile_sorted(s, q));
  return d;
}

}  // namespace medq
