// Bit packing against hand-computed words (docs/formats.md §B.4), not only a round trip through our
// own unpacker: each case places known values and states the exact uint32 words MLX would hold.
#include <gtest/gtest.h>

#include <vector>

#include "affine.hpp"

namespace medq::synth {
namespace {

struct PackCase {
  unsigned bits;
  std::vector<uint8_t> q;       // values in stream order
  std::vector<uint32_t> words;  // expected words, derived by hand in the comment
};

std::vector<uint8_t> with(size_t n, std::initializer_list<std::pair<size_t, uint8_t>> set) {
  std::vector<uint8_t> v(n, 0);
  for (auto [i, x] : set) v[i] = x;
  return v;
}

TEST(PackBits, HandComputedWords) {
  const std::vector<PackCase> cases = {
      // 2-bit: 16 per word, value j at bits 2j. v0=1 -> 0x1, v1=2 -> 0x8, v15=3 -> 0xC0000000.
      {2, with(16, {{0, 1}, {1, 2}, {15, 3}}), {0xC0000009u}},
      // 4-bit: 8 per word, first value in the lowest nibble: 1..8 -> 0x87654321.
      {4, {1, 2, 3, 4, 5, 6, 7, 8}, {0x87654321u}},
      // 8-bit: 4 per word, byte j = value j.
      {8, {0x11, 0x22, 0x33, 0x44, 0xAA, 0xBB, 0xCC, 0xDD}, {0x44332211u, 0xDDCCBBAAu}},
      // 3-bit, 32 values in 3 words. Value 10 = 0b111 sits at stream bits 30..32: word0 bits
      // 30-31 (0xC0000000) and word1 bit 0 (0x1). Value 21 = 0b101 at bits 63..65: bit0 of the
      // value -> word1 bit 31 (0x80000000); bits 1-2 (0b10) -> word2 bits 0-1 (0x2).
      {3, with(32, {{10, 7}, {21, 5}}), {0xC0000000u, 0x80000001u, 0x00000002u}},
      // 3-bit: value 1 = 0b011 at bits 3..5 -> 0x18; value 31 = 0b110 at bits 93..95 -> word2
      // bits 29-31 -> 0xC0000000.
      {3, with(32, {{1, 3}, {31, 6}}), {0x00000018u, 0u, 0xC0000000u}},
      // 5-bit, 32 values in 5 words. Value 6 = 0b10111 at bits 30..34: bits 0-1 (0b11) -> word0
      // bits 30-31; bits 2-4 (0b101) -> word1 bits 0-2 = 0x5. Value 12 = 0b11111 at bits 60..64:
      // word1 bits 28-31 (0xF0000000) and word2 bit 0.
      {5, with(32, {{6, 0x17}, {12, 0x1F}}), {0xC0000000u, 0xF0000005u, 0x1u, 0u, 0u}},
      // 5-bit: value 31 = 0b00001 at bits 155..159 -> word4 bit 27 = 0x08000000.
      {5, with(32, {{31, 1}}), {0u, 0u, 0u, 0u, 0x08000000u}},
      // 6-bit, 16 values in 3 words. Value 5 = 0b101101 at bits 30..35: bits 0-1 (0b01) ->
      // word0 bit 30; bits 2-5 (0b1011) -> word1 bits 0-3 = 0xB. Value 10 = 0b111111 at bits
      // 60..65: word1 bits 28-31 and word2 bits 0-1 (0x3). Value 0 = 0b000001 -> word0 bit 0.
      {6, with(16, {{0, 1}, {5, 0x2D}, {10, 0x3F}}), {0x40000001u, 0xF000000Bu, 0x3u}},
      // 6-bit: value 15 = 0b100000 at bits 90..95 -> word2 bit 31.
      {6, with(16, {{15, 0x20}}), {0u, 0u, 0x80000000u}},
  };
  for (const PackCase& c : cases) {
    SCOPED_TRACE("bits=" + std::to_string(c.bits));
    const std::vector<uint32_t> w = pack_bits(c.q, c.bits);
    ASSERT_EQ(w.size(), c.words.size());
    for (size_t i = 0; i < w.size(); ++i)
      EXPECT_EQ(w[i], c.words[i]) << "word " << i << std::hex << " got 0x" << w[i];
    for (size_t j = 0; j < c.q.size(); ++j) EXPECT_EQ(unpack_value(w, c.bits, j), c.q[j]);
  }
}

TEST(PackBits, AllOnesFillEveryBit) {
  for (unsigned bits : {2u, 3u, 4u, 5u, 6u, 8u}) {
    const std::vector<uint8_t> q(32, static_cast<uint8_t>((1u << bits) - 1));
    const std::vector<uint32_t> w = pack_bits(q, bits);
    ASSERT_EQ(w.size(), bits);  // 32 values * bits / 32
    for (uint32_t x : w) EXPECT_EQ(x, 0xFFFFFFFFu) << "bits=" << bits;
  }
}

TEST(PackBits, RejectsPartialWords) {
  const std::vector<uint8_t> q(5, 1);
  EXPECT_THROW(pack_bits(q, 3), std::invalid_argument);
}

}  // namespace
}  // namespace medq::synth
