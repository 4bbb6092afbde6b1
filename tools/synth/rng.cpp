#include "rng.hpp"

namespace medq::synth {

Rng Rng::for_name(uint64_t seed, std::string_view name) {
  // FNV-1a over the name, mixed with the seed; the mixing is SplitMix64's finalizer.
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  Rng r(seed ^ h);
  r.next_u64();
  return r;
}

uint64_t Rng::next_u64() {
  state_ += 0x9e3779b97f4a7c15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  // Sum of 4 U(0,1) has mean 2 and variance 4/12 = 1/3; sqrt(3) = 1.7320508075688772.
  const double s = uniform() + uniform() + uniform() + uniform();
  return (s - 2.0) * 1.7320508075688772;
}

}  // namespace medq::synth
