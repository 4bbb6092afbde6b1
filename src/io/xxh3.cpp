#include "medq/io/xxh3.hpp"

#include <xxhash.h>

#include <stdexcept>

namespace medq {
namespace {

std::string canonical_hex(XXH128_hash_t h) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * sizeof(c.digest));
  for (unsigned char b : c.digest) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

}  // namespace

struct Xxh3_128::State {
  struct Deleter {
    void operator()(XXH3_state_t* p) const { XXH3_freeState(p); }
  };
  std::unique_ptr<XXH3_state_t, Deleter> s;

  void reset() {
    if (!s || XXH3_128bits_reset(s.get()) != XXH_OK) {
      throw std::runtime_error("cannot initialise XXH3-128");
    }
  }
};

Xxh3_128::Xxh3_128() : state_(std::make_unique<State>()) {
  state_->s.reset(XXH3_createState());
  state_->reset();
}

Xxh3_128::~Xxh3_128() = default;
Xxh3_128::Xxh3_128(Xxh3_128&&) noexcept = default;
Xxh3_128& Xxh3_128::operator=(Xxh3_128&&) noexcept = default;

void Xxh3_128::update(const void* data, size_t n) {
  if (n > 0 && XXH3_128bits_update(state_->s.get(), data, n) != XXH_OK) {
    throw std::runtime_error("XXH3-128 update failed");
  }
}

std::string Xxh3_128::finish() {
  std::string hex = canonical_hex(XXH3_128bits_digest(state_->s.get()));
  state_->reset();
  return hex;
}

std::string xxh3_128_bytes(std::string_view bytes) {
  return canonical_hex(XXH3_128bits(bytes.data(), bytes.size()));
}

}  // namespace medq
