// Character sets of MySQL and MariaDB: collation id (as TABLE_MAP metadata sends it) or name (as
// information_schema and DDL give it) to the charset, and the conversion of a column's bytes to
// UTF-8. The table is generated (charset_tables.cpp, tools/gen_mysql_charsets.py). Lookups are
// pure; to_utf8 keeps one iconv converter per charset per thread (iconv_t is not thread-safe),
// so it may be called from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "cdc/core/arena.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog/charset_tables.h"

namespace cdc::mysql {

using Charset = generated::CharsetRow;

inline constexpr uint32_t kBinaryCollation = 63;

// nullptr: an id neither MariaDB nor MySQL 8 defines (a newer server's; see charset_tables.h).
const Charset* charset_of_collation(uint32_t collation_id);
// "" for an unknown id.
std::string_view collation_name(uint32_t collation_id);
// The charset of a collation name ("utf8mb4_0900_ai_ci"); nullptr for an unknown name.
const Charset* charset_of_collation_named(std::string_view collation);
// MySQL's names; "utf8" is utf8mb3 (its meaning before MySQL 8.0.30 and MariaDB 10.6). Case
// insensitive. nullptr for a name neither server knows.
const Charset* charset_named(std::string_view name);

inline bool is_binary(const Charset& cs) { return cs.name == "binary"; }

// What a byte sequence invalid in its charset becomes (`charset.invalid`).
enum class InvalidText : uint8_t {
  fail,     // Errc::malformed naming the charset and the byte offset
  replace,  // U+FFFD per invalid sequence (the server's CONVERT gives '?' for some)
};

// Copies `raw`, text in `cs` (not binary), into the arena as UTF-8. utf8mb3/utf8mb4 are checked
// (utf8mb3 has no 4-byte sequences) and copied; single-byte charsets and MySQL's own big5, sjis
// and ujis go through tables generated from the server; the others through glibc iconv.
Result<std::string_view> to_utf8(std::string_view raw, const Charset& cs, InvalidText on_invalid,
                                 Arena& arena);

// Whether to_utf8 of `cs` is a check and a copy (utf8mb3, utf8mb4): then valid text is the
// column's bytes, which the row plan's step checks with is_utf8 (sequences of at most
// `mbmaxlen` bytes, the charset's; 3 for utf8mb3) and copies itself.
bool is_utf8_charset(const Charset& cs);
bool is_utf8(std::string_view raw, size_t mbmaxlen);

}  // namespace cdc::mysql
