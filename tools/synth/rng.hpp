// A seeded random source whose output is the same on every machine and compiler: SplitMix64 for
// the bits and only +, *, and integer-to-double conversion for the values (no libm, no
// std::*_distribution, whose algorithms differ between standard libraries).
#pragma once

#include <cstdint>
#include <string_view>

namespace medq::synth {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  /// Derives a stream for one named tensor, so a tensor's values do not depend on which other
  /// tensors were generated before it.
  static Rng for_name(uint64_t seed, std::string_view name);

  /// The next 64 random bits (SplitMix64).
  uint64_t next_u64();
  /// Uniform in [0, 1), 53 bits of precision.
  double uniform();
  /// Approximately standard normal: the Irwin-Hall sum of four uniforms, rescaled to unit
  /// variance. Bounded (|x| < 3.47), which suits weight init and keeps groups free of outliers.
  double normal();

 private:
  uint64_t state_;
};

}  // namespace medq::synth
