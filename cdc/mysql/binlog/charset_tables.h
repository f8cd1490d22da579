// The rows tools/gen_mysql_charsets.py generates into charset_tables.cpp: every character set
// and every collation id of MariaDB and MySQL 8. Read through charset.h, not directly.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace cdc::mysql::generated {

// A MySQL multi-byte charset's own mapping (big5, sjis, ujis). kind[b]: 0 = no character,
// 1 = one byte (single[b]), 2 = lead of two bytes, 3 = prefix of three bytes. Code points are
// 0xFFFF where the charset has no character.
struct MultiByteTable {
  const uint8_t* kind;        // 256
  const uint16_t* single;     // 256
  const uint8_t* lead_index;  // 256: the row of a lead byte in `rows`
  uint8_t trail_lo;           // trail bytes (and both bytes after a 3-byte prefix) lie in
  uint8_t trail_hi;           // [trail_lo, trail_hi]
  const uint16_t* rows;       // per lead: trail_hi - trail_lo + 1 code points
  const uint16_t* rows3;      // 3-byte form: [second - trail_lo][third - trail_lo], or nullptr
};

struct CharsetRow {
  std::string_view name;             // MySQL's name ("utf8mb3", not "utf8")
  uint8_t mbmaxlen;                  // maximum bytes per character
  uint32_t default_collation;        // the id a column naming only the charset gets
  const uint16_t* single_byte;       // 256 code points (0xFFFF: undefined byte), or nullptr
  const MultiByteTable* multi_byte;  // MySQL's own multi-byte mapping, or nullptr
  std::string_view iconv_name;       // glibc iconv name of a multi-byte non-UTF-8 charset, or ""
};

struct CollationRow {
  uint32_t id;
  std::string_view name;
  uint8_t charset;  // index into kCharsetRows
};

extern const std::span<const CharsetRow> kCharsetRows;      // sorted by name
extern const std::span<const CollationRow> kCollationRows;  // sorted by id

}  // namespace cdc::mysql::generated
