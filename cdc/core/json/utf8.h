// Internal to cdc_json: one-sequence UTF-8 decoding shared by the writer and the validator.
// Follows Unicode 15 section 3.9, table 3-7 (well-formed byte sequences) and the "maximal
// subpart" practice that WHATWG's decoder uses for U+FFFD replacement.
#pragma once

#include <cstddef>

namespace cdc::json {

struct Utf8Seq {
  bool valid;
  // Valid: bytes in the sequence (2..4; callers handle ASCII themselves). Invalid: bytes of
  // the maximal invalid subpart (>= 1), each such run being replaced by one U+FFFD.
  size_t length;
};

// Decodes the sequence starting at the non-ASCII byte *p (p < end).
inline Utf8Seq utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  size_t trail;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the first trail byte
  if (c >= 0xC2 && c <= 0xDF) {
    trail = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    trail = 2;
    if (c == 0xE0)
      lo = 0xA0;  // overlong
    else if (c == 0xED)
      hi = 0x9F;  // surrogates D800..DFFF
  } else if (c >= 0xF0 && c <= 0xF4) {
    trail = 3;
    if (c == 0xF0)
      lo = 0x90;  // overlong
    else if (c == 0xF4)
      hi = 0x8F;  // > U+10FFFF
  } else {
    return {false, 1};  // 80..C1 (stray trail, overlong lead), F5..FF
  }
  for (size_t i = 1; i <= trail; ++i) {
    if (p + i >= end) return {false, i};
    const unsigned b = p[i];
    const bool ok = i == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return {false, i};
  }
  return {true, trail + 1};
}

}  // namespace cdc::json
