// Parsers of the text form of PostgreSQL's scalar types (the output functions' spelling under
// pg_session_options()). Each checks the whole text and returns what sluice keeps; errors say
// what is wrong with the text, and the caller names the column. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::postgres {

Result<bool> parse_pg_bool(std::string_view text);  // "t" / "f"
Result<int64_t> parse_pg_int(std::string_view text, int64_t min, int64_t max);
Result<double> parse_pg_float8(std::string_view text);  // also "NaN", "Infinity", "-Infinity"
Result<float> parse_pg_float4(std::string_view text);

// numeric: "-12.340", "NaN", "Infinity", "-Infinity". `scale` = digits after the point.
struct PgNumeric {
  enum class Special : uint8_t { none, nan, infinity, minus_infinity } special = Special::none;
  uint32_t scale = 0;
};
Result<PgNumeric> parse_pg_numeric(std::string_view text);

// money under lc_monetary=C: "$1,234.56", "-$0.01". Appends the exact decimal ("-0.01").
Status parse_pg_money(std::string_view text, std::string& digits, uint32_t& scale);

// bytea: hex ("\x0aff") or escape format ("a\\\001"). Appends the bytes.
Status parse_pg_bytea(std::string_view text, std::string& bytes);

Status check_pg_uuid(std::string_view text);                 // 8-4-4-4-12 hex digits
bool is_pg_uuid(std::string_view text);                      // the same, without the error
Status check_pg_inet(std::string_view text, bool cidr);      // address[/bits]
Status check_pg_macaddr(std::string_view text, int octets);  // 6 or 8 hex pairs with ':'
Status check_pg_bits(std::string_view text);                 // '0' and '1' only

// Geometric types: point "(x,y)", line "{a,b,c}", lseg "[(x,y),(x,y)]", box "(x,y),(x,y)",
// path "((x,y),...)" or "[(x,y),...]", polygon "((x,y),...)", circle "<(x,y),r>".
Status check_pg_geometric(uint32_t type_oid, std::string_view text);
Result<std::pair<double, double>> parse_pg_point(std::string_view text);

// Well-formed UTF-8 (what every text-like value must be, the session being UTF8).
Status check_utf8(std::string_view text);

}  // namespace cdc::postgres
