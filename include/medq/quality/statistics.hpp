// Summary statistics of per-position values (KL divergence, change in next-token probability):
// mean with its standard error, median, extremes, RMS and the percentiles llama.cpp's
// `perplexity --kl-divergence` prints. Percentiles interpolate linearly between order
// statistics (value at rank (n - 1) q of the sorted values), numpy's default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace medq {

/// The percentiles reported, in print order (llama.cpp's list).
inline constexpr double kQualityPercentiles[] = {99.9, 99.0, 95.0, 90.0, 10.0, 5.0, 1.0, 0.1};

struct Distribution {
  uint64_t count = 0;
  double mean = 0;
  /// Sample standard deviation / sqrt(count); nullopt for fewer than two values.
  std::optional<double> standard_error;
  double median = 0, min = 0, max = 0;
  double rms = 0;                                      ///< sqrt(mean of squares)
  std::vector<std::pair<double, double>> percentiles;  ///< (percent, value), kQualityPercentiles
};

/// Summarises `values` (empty -> count 0 and zeros).
Distribution summarize(std::span<const double> values);

/// Linear-interpolation percentile `q` in [0, 100] of `sorted` (ascending, non-empty).
double percentile_sorted(std::span<const double> sorted, double q);

}  // namespace medq
