// The hash of the free-text reader's lookup tables (the lexicon's phrases
// and words, the known terms), which it probes several times for every text.
//
// absl::Hash reads every byte through an out-of-line call. This one is
// inline and reads at most five words: the first and last 16 bytes, one word
// from the middle, and the length. Keys that differ only elsewhere in the
// middle share a hash; the table still tells them apart by comparing keys, so
// that costs a comparison, never a wrong answer. The tables' keys are folded
// words and phrases, mostly under 32 bytes, where every byte is read.
#ifndef ETHREC_MAPPING_INTERNAL_TEXT_HASH_H_
#define ETHREC_MAPPING_INTERNAL_TEXT_HASH_H_

#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace ethrec::mapping_internal {

struct TextHash {
  using is_transparent = void;

  size_t operator()(absl::string_view s) const {
    const char* p = s.data();
    const size_t n = s.size();
    uint64_t a = 0, b = 0;
    if (n > 16) {
      a = Load64(p) ^ Mix(Load64(p + 8), kSeed2);
      b = Load64(p + n - 16) ^ Mix(Load64(p + n - 8), kSeed1);
      if (n > 32) a ^= Mix(Load64(p + n / 2 - 4), kSeed3);
    } else if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) | (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) |
          static_cast<uint8_t>(p[n - 1]);
    }
    return static_cast<size_t>(Mix(a ^ kSeed1 ^ n, b ^ kSeed2));
  }

 private:
  static constexpr uint64_t kSeed1 = 0xa0761d6478bd642fULL;
  static constexpr uint64_t kSeed2 = 0xe7037ed1a0b428dbULL;
  static constexpr uint64_t kSeed3 = 0x8ebc6af09c88c6e3ULL;

  static uint64_t Load64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint64_t Load32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Both halves of the 128-bit product, folded, so that every input bit
  // reaches both the low 7 bits (absl's tag for a slot) and the bits above
  // them (which pick the slot).
  static uint64_t Mix(uint64_t a, uint64_t b) {
    const unsigned __int128 m = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }
};

struct TextEq {
  using is_transparent = void;
  bool operator()(absl::string_view a, absl::string_view b) const { return a == b; }
};

}  // namespace ethrec::mapping_internal

#endif  // ETHREC_MAPPING_INTERNAL_TEXT_HASH_H_
