#include "cdc/expr/unicode.h"

namespace cdc::expr {

char32_t next_code_point(std::string_view text, size_t& pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || pos + len > text.size()) {
    ++pos;
    return 0xFFFD;
  }
  char32_t cp = b0 & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return 0xFFFD;
  }
  pos += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t code_point_count(std::string_view text) {
  size_t n = 0;
  for (size_t pos = 0; pos < text.size(); ++n) next_code_point(text, pos);
  return n;
}

size_t byte_offset_of(std::string_view text, size_t cp_index) {
  size_t pos = 0;
  for (size_t i = 0; i < cp_index && pos < text.size(); ++i) next_code_point(text, pos);
  return pos;
}

namespace {

// Ranges where upper and lower case alternate: even code point upper, odd lower (or the
// reverse when `odd_upper`).
struct PairRange {
  char32_t first, last;
  bool odd_upper;
};
constexpr PairRange kPairRanges[] = {
    {0x0100, 0x012F, false}, {0x0132, 0x0137, false}, {0x0139, 0x0148, true},
    {0x014A, 0x0177, false}, {0x0179, 0x017E, true},  {0x0182, 0x0185, false},
    {0x01A0, 0x01A5, false}, {0x01CD, 0x01DC, true},  {0x01DE, 0x01EF, false},
    {0x01F8, 0x021F, false}, {0x0222, 0x0233, false}, {0x0246, 0x024F, false},
    {0x03D8, 0x03EF, false}, {0x0460, 0x0481, false}, {0x048A, 0x04BF, false},
    {0x04C1, 0x04CE, true},  {0x04D0, 0x052F, false}, {0x1E00, 0x1E95, false},
    {0x1EA0, 0x1EFF, false},
};

// Offsets between an upper-case block and its lower-case block.
struct ShiftRange {
  char32_t upper_first, upper_last;
  int32_t to_lower;
};
constexpr ShiftRange kShiftRanges[] = {
    {'A', 'Z', 32},       {0x00C0, 0x00D6, 32}, {0x00D8, 0x00DE, 32}, {0x0391, 0x03A1, 32},
    {0x03A3, 0x03AB, 32}, {0x0388, 0x038A, 37}, {0x0410, 0x042F, 32}, {0x0400, 0x040F, 80},
    {0x0531, 0x0556, 48}, {0xFF21, 0xFF3A, 32},
};

// Single mappings outside the regular blocks: {upper, lower}.
struct Single {
  char32_t upper, lower;
};
constexpr Single kSingles[] = {
    {0x0178, 0x00FF},  // Ÿ ÿ
    {0x0386, 0x03AC},  // Ά ά
    {0x038C, 0x03CC},  // Ό ό
    {0x038E, 0x03CD},  // Ύ ύ
    {0x038F, 0x03CE},  // Ώ ώ
    {0x0187, 0x0188}, {0x018B, 0x018C}, {0x0191, 0x0192}, {0x0198, 0x0199}, {0x01A7, 0x01A8},
    {0x01AC, 0x01AD}, {0x01AF, 0x01B0}, {0x01B3, 0x01B4}, {0x01B5, 0x01B6}, {0x01B8, 0x01B9},
    {0x01BC, 0x01BD}, {0x01C4, 0x01C6}, {0x01C7, 0x01C9}, {0x01CA, 0x01CC}, {0x01F1, 0x01F3},
    {0x01F4, 0x01F5}, {0x0186, 0x0254}, {0x0189, 0x0256}, {0x018A, 0x0257}, {0x018F, 0x0259},
    {0x0190, 0x025B}, {0x0193, 0x0260}, {0x0194, 0x0263}, {0x0196, 0x0269}, {0x0197, 0x0268},
    {0x019C, 0x026F}, {0x019D, 0x0272}, {0x01A9, 0x0283}, {0x01AE, 0x0288}, {0x01B1, 0x028A},
    {0x01B2, 0x028B}, {0x01B7, 0x0292}, {0x0376, 0x0377}, {0x037F, 0x03F3}, {0x03CF, 0x03D7},
};

bool in_pair_range(char32_t cp, bool& is_upper) {
  for (const PairRange& r : kPairRanges) {
    if (cp >= r.first && cp <= r.last) {
      is_upper = ((cp & 1) != 0) == r.odd_upper;
      return true;
    }
  }
  return false;
}

char32_t simple_lower(char32_t cp) {
  for (const ShiftRange& r : kShiftRanges) {
    if (cp >= r.upper_first && cp <= r.upper_last) return cp + r.to_lower;
  }
  bool is_upper = false;
  if (in_pair_range(cp, is_upper)) return is_upper ? cp + 1 : cp;
  for (const Single& s : kSingles) {
    if (s.upper == cp) return s.lower;
  }
  return cp;
}

char32_t simple_upper(char32_t cp) {
  for (const ShiftRange& r : kShiftRanges) {
    char32_t lo_first = r.upper_first + r.to_lower, lo_last = r.upper_last + r.to_lower;
    if (cp >= lo_first && cp <= lo_last) return cp - r.to_lower;
  }
  bool is_upper = false;
  if (in_pair_range(cp, is_upper)) return is_upper ? cp : cp - 1;
  for (const Single& s : kSingles) {
    if (s.lower == cp) return s.upper;
  }
  switch (cp) {
    case 0x00B5: return 0x039C;  // micro sign -> Greek capital mu
    case 0x0131: return 'I';     // dotless i
    case 0x017F: return 'S';     // long s
    case 0x03C2: return 0x03A3;  // final sigma
    case 0x03D0: return 0x0392;
    case 0x03D1: return 0x0398;
    case 0x03D5: return 0x03A6;
    case 0x03D6: return 0x03A0;
    case 0x03F0: return 0x039A;
    case 0x03F1: return 0x03A1;
    case 0x1E9E: return 0x1E9E;
    default: return cp;
  }
}

}  // namespace

void append_upper(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 32 : cp));
    return;
  }
  if (cp == 0x00DF) {  // ß -> SS, as java.lang.String.toUpperCase
    out += "SS";
    return;
  }
  append_utf8(out, simple_upper(cp));
}

void append_lower(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    return;
  }
  if (cp == 0x0130) {  // İ -> i + combining dot above, as java.lang.String.toLowerCase
    out += "i\xCC\x87";
    return;
  }
  if (cp == 0x1E9E) {  // capital sharp s
    append_utf8(out, 0x00DF);
    return;
  }
  append_utf8(out, simple_lower(cp));
}

}  // namespace cdc::expr
