// The type matrix's columns (mysql_type_matrix_it, mysql_snapshot_it): every MariaDB column
// type with its edge values as SQL literals, one per value set, and how each is compared with
// the server's own text. Header-only, shared by the integration tests that use the matrix.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

namespace cdc::mysql {

// How one binlog Value is rendered for comparison with one server expression.
enum class Render { server_text, real, hex, number, label, geometry_srid, wkt };

struct Check {
  std::string expr;  // server expression; "{}" stands for the column name
  Render render;
};

// One column of the matrix: its DDL type, the SQL literals of its value sets and how to compare.
struct ColumnSpec {
  std::string name;
  std::string type;
  std::vector<std::string> values;  // one per value set (kValueSets); "NULL" for null
  std::vector<Check> checks;
};

// Value sets: 0 min, 1 max, 2 zero/empty, 3 NULL, 4 and 5 other edges. Row k is inserted with
// set k and updated to set kUpdateTo[k], so every set appears as a before and an after image.
inline constexpr size_t kValueSets = 6;
inline constexpr size_t kUpdateTo[kValueSets] = {1, 0, 3, 2, 5, 4};

inline std::vector<Check> plain() { return {{"{}", Render::server_text}}; }
inline std::vector<Check> as_hex() { return {{"HEX({})", Render::hex}}; }

inline std::string repeat_sql(const std::string& s, int n) {
  return "REPEAT('" + s + "'," + std::to_string(n) + ")";
}

inline std::vector<ColumnSpec> matrix() {
  std::vector<ColumnSpec> m;
  auto add = [&](std::string name, std::string type, std::vector<std::string> values,
                 std::vector<Check> checks) {
    REQUIRE(values.size() == kValueSets);
    m.push_back({std::move(name), std::move(type), std::move(values), std::move(checks)});
  };
  // Integers, signed and unsigned, each at min, max and zero.
  add("ti", "TINYINT", {"-128", "127", "0", "NULL", "1", "-1"}, plain());
  add("tiu", "TINYINT UNSIGNED", {"0", "255", "0", "NULL", "1", "128"}, plain());
  add("bo", "BOOLEAN", {"FALSE", "TRUE", "0", "NULL", "1", "-5"}, plain());
  add("si", "SMALLINT", {"-32768", "32767", "0", "NULL", "1", "-1"}, plain());
  add("siu", "SMALLINT UNSIGNED", {"0", "65535", "0", "NULL", "1", "32768"}, plain());
  add("mi", "MEDIUMINT", {"-8388608", "8388607", "0", "NULL", "1", "-1"}, plain());
  add("miu", "MEDIUMINT UNSIGNED", {"0", "16777215", "0", "NULL", "1", "8388608"}, plain());
  add("i", "INT", {"-2147483648", "2147483647", "0", "NULL", "1", "-1"}, plain());
  add("iu", "INT UNSIGNED", {"0", "4294967295", "0", "NULL", "1", "2147483648"}, plain());
  add("bi", "BIGINT", {"-9223372036854775808", "9223372036854775807", "0", "NULL", "1", "-1"},
      plain());
  add("biu", "BIGINT UNSIGNED",
      {"0", "18446744073709551615", "0", "NULL", "1", "9223372036854775808"}, plain());
  add("izf", "INT(8) UNSIGNED ZEROFILL", {"0", "4294967295", "0", "NULL", "7", "12345678"},
      {{"{}+0", Render::server_text}});
  // DECIMAL: 65 digits at both ends, scale 0 and 30, unsigned, tiny fractions.
  const std::string n35(35, '9'), n30(30, '9'), n65(65, '9');
  add("d65s30", "DECIMAL(65,30)",
      {"-" + n35 + "." + n30, n35 + "." + n30, "0", "NULL", "0.000000000000000000000000000001",
       "-12345678901234567890123456789012345.123456789012345678901234567890"},
      plain());
  add("d65s0", "DECIMAL(65,0)", {"-" + n65, n65, "0", "NULL", "1", "-1"}, plain());
  add("d10s2", "DECIMAL(10,2)", {"-99999999.99", "99999999.99", "0", "NULL", "-0.01", "0.5"},
      plain());
  add("d20u", "DECIMAL(20,10) UNSIGNED",
      {"0", "9999999999.9999999999", "0", "NULL", "0.0000000001", "1"}, plain());
  add("d4s4", "DECIMAL(4,4)", {"-0.9999", "0.9999", "0", "NULL", "0.0001", "-0.0001"}, plain());
  add("d1", "DECIMAL(1,0)", {"-9", "9", "0", "NULL", "1", "-1"}, plain());
  // Floating point: limits, smallest normal and subnormal, negative zero.
  add("f", "FLOAT", {"-3.402823466E+38", "3.402823466E+38", "0", "NULL", "1.17549435E-38", "-0.0"},
      {{"CAST({} AS DOUBLE)", Render::real}});
  add("dbl", "DOUBLE",
      {"-1.7976931348623157E+308", "1.7976931348623157E+308", "0", "NULL",
       "2.2250738585072014E-308", "4.9E-324"},
      {{"{}", Render::real}});
  // BIT: 1, an odd width and 64 bits (all ones, the top bit alone).
  add("b1", "BIT(1)", {"b'0'", "b'1'", "0", "NULL", "1", "0"}, {{"{}+0", Render::number}});
  add("b13", "BIT(13)", {"b'0'", "b'1111111111111'", "0", "NULL", "b'1000000000001'", "5"},
      {{"{}+0", Render::number}});
  add("b64", "BIT(64)",
      {"b'0'", "0xFFFFFFFFFFFFFFFF", "0", "NULL", "0x8000000000000000", "0x0123456789ABCDEF"},
      {{"{}+0", Render::number}});
  // Dates and times at their limits, zero dates, negative TIME, fsp 0..6 each.
  add("y", "YEAR", {"1901", "2155", "0", "NULL", "2000", "1970"}, plain());
  add("dt", "DATE",
      {"'0001-01-01'", "'9999-12-31'", "'0000-00-00'", "NULL", "'2024-02-29'", "'2020-00-00'"},
      plain());
  for (int fsp = 0; fsp <= 6; ++fsp) {
    const std::string f = std::to_string(fsp);
    add("t" + f, "TIME(" + f + ")",
        {"'-838:59:59.999999'", "'838:59:59.999999'", "'00:00:00'", "NULL", "'-00:00:00.000001'",
         "'-12:34:56.654321'"},
        plain());
    add("dtm" + f, "DATETIME(" + f + ")",
        {"'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'0000-00-00 00:00:00'", "NULL",
         "'2024-02-29 12:34:56.123456'", "'1970-01-01 00:00:00.000001'"},
        plain());
    add("ts" + f, "TIMESTAMP(" + f + ") NULL DEFAULT NULL",
        {"'1970-01-01 00:00:01'", "'2038-01-19 03:14:07.999999'", "'0000-00-00 00:00:00'", "NULL",
         "'2024-02-29 12:34:56.123456'", "'1999-12-31 23:59:59.5'"},
        plain());
  }
  // Character strings: 4-byte UTF-8, latin1, utf8mb3, ascii, trailing spaces, max length.
  const std::string smile = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes in UTF-8
  add("ch", "CHAR(10) CHARACTER SET utf8mb4",
      {"''", repeat_sql(smile, 10), "''", "NULL", "'a  '", "' x'"}, plain());
  add("chl", "CHAR(255) CHARACTER SET latin1",
      {"''", repeat_sql("\xC3\xBF", 255), "''", "NULL", "'caf\xC3\xA9 \xC3\x80'",
       "'\xC2\xA3\xC2\xB5'"},
      plain());
  add("vc", "VARCHAR(300) CHARACTER SET utf8mb4",
      {"''", repeat_sql(smile, 300), "''", "NULL", "'h\xC3\xA9llo " + smile + " \\t\\n'", "'a '"},
      plain());
  add("vcl", "VARCHAR(10) CHARACTER SET latin1",
      {"''", "'\xC3\x80\xC3\xBF\xC3\x98\xC2\xA9\xC2\xAE\xC3\xA9\xC3\xA8\xC3\xAA\xC3\xAB\xC3\x9F'",
       "''", "NULL", "'caf\xC3\xA9'", "'x'"},
      plain());
  add("vc3", "VARCHAR(20) CHARACTER SET utf8mb3",
      {"''", "'\xE2\x82\xAC\xE4\xB8\xAD'", "''", "NULL", "'z'", "'\xC3\xA9'"}, plain());
  add("vca", "VARCHAR(20) CHARACTER SET ascii", {"''", "'~~~'", "''", "NULL", "'abc'", "' '"},
      plain());
  add("tt", "TINYTEXT", {"''", repeat_sql(smile, 63), "''", "NULL", "'x'", "'y'"}, plain());
  add("tx", "TEXT", {"''", repeat_sql("\xC3\xA9", 32767), "''", "NULL", "'x'", "'y'"}, plain());
  add("mt", "MEDIUMTEXT", {"''", repeat_sql("ab", 100000), "''", "NULL", "'x'", "'y'"}, plain());
  add("lt", "LONGTEXT CHARACTER SET latin1",
      {"''", repeat_sql("\xC3\xBF", 70000), "''", "NULL", "'x'", "'y'"}, plain());
  // Binary strings and BLOBs: empty, full, bytes 0x00 and 0xFF.
  add("bn", "BINARY(4)", {"''", "x'FFFFFFFF'", "x'00000000'", "NULL", "x'6162'", "x'00'"},
      as_hex());
  add("vb", "VARBINARY(300)", {"''", "REPEAT(x'FF', 300)", "x'00'", "NULL", "x'00FF10'", "'a'"},
      as_hex());
  add("tb", "TINYBLOB", {"''", "REPEAT(x'FF', 255)", "''", "NULL", "x'00'", "x'DEADBEEF'"},
      as_hex());
  add("bl", "BLOB", {"''", "REPEAT(x'FE', 65535)", "''", "NULL", "x'00'", "x'DEADBEEF'"}, as_hex());
  add("mb", "MEDIUMBLOB", {"''", "REPEAT(x'01', 70000)", "''", "NULL", "x'00'", "x'DEADBEEF'"},
      as_hex());
  add("lb", "LONGBLOB", {"''", "REPEAT(x'02', 70000)", "''", "NULL", "x'00'", "x'DEADBEEF'"},
      as_hex());
  // ENUM/SET: every label across the value sets (inserted or updated to), a 2-byte ENUM with
  // 300 labels and a 64-member SET (8-byte bitmap) all set.
  add("e", "ENUM('red','green','blue','\xC3\xBCn\xC3\xAF','" + smile + "')",
      {"'red'", "'" + smile + "'", "'green'", "NULL", "'blue'", "'\xC3\xBCn\xC3\xAF'"},
      {{"{}", Render::label}, {"{}+0", Render::number}});
  std::string e300 = "ENUM(", s64 = "SET(";
  for (int k = 1; k <= 300; ++k) e300 += (k > 1 ? ",'l" : "'l") + std::to_string(k) + "'";
  for (int k = 1; k <= 64; ++k) s64 += (k > 1 ? ",'m" : "'m") + std::to_string(k) + "'";
  std::string all64;
  for (int k = 1; k <= 64; ++k) all64 += (k > 1 ? ",m" : "m") + std::to_string(k);
  add("e300", e300 + ")", {"'l1'", "'l300'", "'l256'", "NULL", "'l255'", "'l2'"},
      {{"{}", Render::label}, {"{}+0", Render::number}});
  add("st", "SET('a','b','c','d','\xC3\xA9')",
      {"''", "'a,b,c,d,\xC3\xA9'", "''", "NULL", "'b'", "'a,\xC3\xA9'"},
      {{"{}", Render::label}, {"{}+0", Render::number}});
  add("s64", s64 + ")", {"''", "'" + all64 + "'", "''", "NULL", "'m64'", "'m1,m33'"},
      {{"{}", Render::label}, {"{}+0", Render::number}});
  // JSON (MariaDB: LONGTEXT with a JSON_VALID check): nested, escapes, 4-byte UTF-8, scalars.
  add("j", "JSON",
      {"'{}'",
       "'{\"a\": [1, {\"b\": {\"c\": [null, true, false, 1.5e300, \"\\\\u00e9 " + smile +
           "\", {\"d\": [[[[]]]]}]}}], \"k\": -9223372036854775808}'",
       "'[]'", "NULL", "'\"str\"'", "'123'"},
      plain());
  // Spatial types, with and without an SRID.
  const std::vector<Check> geo = {{"HEX(ST_AsBinary({}))", Render::hex},
                                  {"ST_SRID({})", Render::geometry_srid},
                                  {"ST_AsText({})", Render::wkt}};
  add("g", "GEOMETRY",
      {"ST_GeomFromText('POINT(-180 -90)', 4326)",
       "ST_GeomFromText('POINT(1.7976931348623157e308 0)')", "ST_GeomFromText('POINT(0 0)')",
       "NULL", "ST_GeomFromText('LINESTRING(0 0, 1 1)', 3857)",
       "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')"},
      geo);
  add("pt", "POINT",
      {"POINT(-1.5, 2.5)", "ST_GeomFromText('POINT(10 20)', 4326)", "POINT(0, 0)", "NULL",
       "POINT(1, 2)", "POINT(-0.0, 3)"},
      geo);
  add("ls", "LINESTRING",
      {"ST_GeomFromText('LINESTRING(0 0, 1 1, 2 2)')",
       "ST_GeomFromText('LINESTRING(-1 -1, 1 1)', 4326)", "ST_GeomFromText('LINESTRING(0 0, 0 0)')",
       "NULL", "ST_GeomFromText('LINESTRING(5 5, 6 6)')",
       "ST_GeomFromText('LINESTRING(1 2, 3 4)')"},
      geo);
  add("pg", "POLYGON",
      {"ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))')",
       "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326)",
       "ST_GeomFromText('POLYGON((0 0,0 0,0 0,0 0))')", "NULL",
       "ST_GeomFromText('POLYGON((1 1,2 1,2 2,1 1))')",
       "ST_GeomFromText('POLYGON((5 5,6 5,6 6,5 5))')"},
      geo);
  add("mpt", "MULTIPOINT",
      {"ST_GeomFromText('MULTIPOINT(0 0, 1 1)')", "ST_GeomFromText('MULTIPOINT(1 2)', 4326)",
       "ST_GeomFromText('MULTIPOINT(0 0)')", "NULL", "ST_GeomFromText('MULTIPOINT(3 3, 4 4, 5 5)')",
       "ST_GeomFromText('MULTIPOINT(9 9)')"},
      geo);
  add("mls", "MULTILINESTRING",
      {"ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))')",
       "ST_GeomFromText('MULTILINESTRING((0 0,1 1))', 4326)",
       "ST_GeomFromText('MULTILINESTRING((0 0,0 0))')", "NULL",
       "ST_GeomFromText('MULTILINESTRING((1 1,2 2))')",
       "ST_GeomFromText('MULTILINESTRING((5 5,6 6))')"},
      geo);
  add("mpg", "MULTIPOLYGON",
      {"ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))')",
       "ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4326)",
       "ST_GeomFromText('MULTIPOLYGON(((0 0,0 0,0 0,0 0)))')", "NULL",
       "ST_GeomFromText('MULTIPOLYGON(((1 1,2 1,2 2,1 1)))')",
       "ST_GeomFromText('MULTIPOLYGON(((7 7,8 7,8 8,7 7)))')"},
      geo);
  add("gc", "GEOMETRYCOLLECTION",
      {"ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')",
       "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1))', 4326)",
       "ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')", "NULL",
       "ST_GeomFromText('GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 0)))')",
       "ST_GeomFromText('GEOMETRYCOLLECTION(MULTIPOINT(1 1, 2 2))')"},
      geo);
  // MariaDB data type plugins.
  add("u", "UUID",
      {"'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
       "'00000000-0000-0000-0000-000000000001'", "NULL", "'123e4567-e89b-12d3-a456-426614174000'",
       "'6ccd780c-baba-1026-9564-5b8c656024db'"},
      {{"HEX(CAST({} AS BINARY(16)))", Render::hex}});
  add("i6", "INET6",
      {"'::'", "'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'", "'::1'", "NULL", "'2001:db8::1'",
       "'::ffff:10.0.0.1'"},
      {{"HEX(CAST({} AS BINARY(16)))", Render::hex}});
  add("i4", "INET4",
      {"'0.0.0.0'", "'255.255.255.255'", "'127.0.0.1'", "NULL", "'10.0.0.1'", "'1.2.3.4'"},
      {{"HEX(CAST({} AS BINARY(4)))", Render::hex}});
  return m;
}

}  // namespace cdc::mysql
