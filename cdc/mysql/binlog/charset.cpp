#include "cdc/mysql/binlog/charset.h"

#include <cstring>

namespace cdc::mysql {

std::string_view charset_name(uint32_t id) {
  // MariaDB NO PAD collations are the PAD SPACE id + 1024 (1024..2047).
  if (id >= 1024 && id < 2048) id -= 1024;
  switch (id) {
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94: return "latin1";
    case 11:
    case 65: return "ascii";
    case 63: return "binary";
    case 33:
    case 83:
    case 223:
    case 76: return "utf8mb3";
    case 45:
    case 46: return "utf8mb4";
    default: break;
  }
  if (id >= 192 && id <= 215) return "utf8mb3";
  if (id >= 224 && id <= 247) return "utf8mb4";
  if (id >= 255 && id <= 323) return "utf8mb4";  // MySQL 8 utf8mb4_0900_*
  if (id >= 576 && id <= 607) return "utf8mb3";  // MariaDB *_mysql561 variants
  if (id >= 608 && id <= 639) return "utf8mb4";
  if (id >= 2048 && id < 2304) return "utf8mb3";  // MariaDB 10.10+ UCA 14.0.0 collations
  if (id >= 2304 && id < 2560) return "utf8mb4";
  return "";
}

TextEncoding text_encoding(uint32_t id) {
  const std::string_view cs = charset_name(id);
  if (cs == "utf8mb4" || cs == "utf8mb3") return TextEncoding::utf8;
  if (cs == "latin1") return TextEncoding::latin1;
  if (cs == "ascii") return TextEncoding::ascii;
  if (cs == "binary") return TextEncoding::binary;
  return TextEncoding::unknown;
}

namespace {
// Windows-1252 0x80..0x9F; MySQL maps the five bytes cp1252 leaves undefined to U+0081 etc.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
}  // namespace

std::string_view latin1_to_utf8(std::string_view in, Arena& arena) {
  size_t out_len = 0;
  for (unsigned char c : in) {
    if (c < 0x80) {
      out_len += 1;
    } else if (c >= 0xA0) {
      out_len += 2;
    } else {
      out_len += kCp1252High[c - 0x80] < 0x800 ? 2 : 3;
    }
  }
  if (out_len == in.size()) return arena.copy(in);
  auto* out = static_cast<char*>(arena.allocate(out_len, 1));
  size_t o = 0;
  for (unsigned char c : in) {
    uint32_t cp = c < 0x80 || c >= 0xA0 ? c : kCp1252High[c - 0x80];
    if (cp < 0x80) {
      out[o++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      out[o++] = static_cast<char>(0xC0 | (cp >> 6));
      out[o++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out[o++] = static_cast<char>(0xE0 | (cp >> 12));
      out[o++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return {out, out_len};
}

}  // namespace cdc::mysql
