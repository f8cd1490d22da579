// The type matrix on the real MariaDB 10.11: every column type the server has, each with its
// edge values (min, max, zero, NULL, unsigned max, 65-digit decimals, fsp 0..6, negative TIME,
// 4-byte UTF-8, latin1, empty and 16 MB blobs, nested JSON, every ENUM/SET label, BIT(64) all
// ones), inserted, updated and deleted, streamed by MysqlSource and compared value by value
// with what the server itself returns for a SELECT of the same rows.
//
// The comparison renders each binlog Value the way the server prints it (the text protocol)
// and asks the server for a form that is exact where its default text is not. Per-type rules:
//   integers, YEAR (4 digits), DECIMAL (all scale digits), strings (UTF-8; the server converts
//   latin1 etc. to the utf8mb4 connection charset as sluice's decoder does), JSON text,
//   ENUM/SET labels, DATE/TIME/DATETIME (append_date/time/datetime of value_json.h, the
//   renderers every encoder uses), TIMESTAMP (append_timestamp in UTC; session time_zone +00:00):
//   the server's own text, byte for byte.
//   FLOAT: the server prints 6 significant digits; it is asked for CAST(f AS DOUBLE) (17
//   digits of the widened float) and both sides are compared as doubles. DOUBLE: shortest
//   round-trip text, compared as doubles (so -0.0 equals the server's "0").
//   binary strings, BLOBs: HEX(col) against the hex of the bytes. BIT: col+0 (the number).
//   ENUM/SET: the label text and col+0 (index / bitmap).
//   GEOMETRY: HEX(ST_AsBinary(col)) against the WKB, ST_SRID(col) against the SRID and
//   ST_AsText(col) against sluice's WKT of the WKB (wkb_to_wkt, geometry.format: wkt).
//   UUID, INET6, INET4: the binlog carries only the stored bytes (TABLE_MAP names no data type
//   plugin), so sluice emits bytes; compared with HEX of the stored form.
#include <doctest/doctest.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/json/value_json.h"
#include "cdc/core/wkb_to_wkt.h"
#include "cdc/mysql/mysql_source.h"
#include "tests/support/collect_events.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"

namespace cdc::mysql {
namespace {

using cdc::testing::collect;
using cdc::testing::Collected;
using cdc::testing::MariaDbSession;
using Text = std::optional<std::string>;

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
constexpr size_t kValueSets = 6;
constexpr size_t kUpdateTo[kValueSets] = {1, 0, 3, 2, 5, 4};

std::string hex(std::string_view bytes) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

std::string real_text(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d == 0 ? 0.0 : d);
  return buf;
}

// The binlog Value as the server would print it for `render` (see the file comment).
Text render(const Value& v, Render how) {
  if (v.is_null()) return std::nullopt;
  std::string out;
  switch (how) {
    case Render::hex:
      return v.kind == ValueKind::bytes || v.kind == ValueKind::geometry
                 ? hex(v.text)
                 : "<" + std::string(to_string(v.kind)) + " is not bytes>";
    case Render::real: return real_text(v.d);
    case Render::number:
      switch (v.kind) {
        case ValueKind::bit:
        case ValueKind::enum_label:
        case ValueKind::set_labels: return std::to_string(v.u);
        default: return "<" + std::string(to_string(v.kind)) + " has no number>";
      }
    case Render::label: return std::string(v.text);
    case Render::geometry_srid:
      return v.kind == ValueKind::geometry ? std::to_string(v.aux) : "<not a geometry>";
    case Render::wkt: {
      if (v.kind != ValueKind::geometry) return "<not a geometry>";
      if (Status st = wkb_to_wkt(v.text, out); !st) return "<" + st.error().to_string() + ">";
      return out;
    }
    case Render::server_text: break;
  }
  switch (v.kind) {
    case ValueKind::boolean:
    case ValueKind::int64: return std::to_string(v.i);
    case ValueKind::uint64: return std::to_string(v.u);
    case ValueKind::year: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04" PRId64, v.i);
      return buf;
    }
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels: return std::string(v.text);
    case ValueKind::date: json::append_date(out, v.i); return out;
    case ValueKind::time: json::append_time(out, v.i, v.fsp); return out;
    case ValueKind::datetime: json::append_datetime(out, v.i, v.aux, v.fsp, ' '); return out;
    case ValueKind::timestamp: json::append_timestamp(out, v.i, v.fsp, ' ', false); return out;
    default: return "<" + std::string(to_string(v.kind)) + " has no server text>";
  }
}

// The server's answer normalised for `render`: REAL is parsed and reprinted; a number the
// server printed negative is a 64-bit SET bitmap that `col+0` gives as a signed BIGINT (MariaDB
// prints SET('m1'..'m64') with every member as -1), reinterpreted as unsigned.
Text normalise(const Text& server, Render how) {
  if (!server) return server;
  if (how == Render::real) return real_text(std::strtod(server->c_str(), nullptr));
  if (how == Render::number && server->starts_with("-")) {
    return std::to_string(static_cast<uint64_t>(std::stoll(*server)));
  }
  return server;
}

std::vector<Check> plain() { return {{"{}", Render::server_text}}; }
std::vector<Check> as_hex() { return {{"HEX({})", Render::hex}}; }

std::string repeat_sql(const std::string& s, int n) {
  return "REPEAT('" + s + "'," + std::to_string(n) + ")";
}

std::vector<ColumnSpec> matrix() {
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

// The server's rows of the table keyed by id: one text per (column, check), in matrix order.
using Snapshot = std::map<int64_t, std::vector<Text>>;

Snapshot snapshot(MariaDbSession& sql, const std::vector<ColumnSpec>& cols) {
  std::string q = "SELECT id";
  for (const auto& c : cols) {
    for (const auto& ch : c.checks) q += ", " + replace_all(ch.expr, "{}", "`" + c.name + "`");
  }
  q += " FROM sluice_it.matrix ORDER BY id";
  Snapshot out;
  for (auto& row : sql.query(q)) {
    const int64_t id = std::stoll(*row[0]);
    row.erase(row.begin());
    out[id] = std::move(row);
  }
  return out;
}

// Compares one row image with the server's row, every column and check; counts comparisons and
// appends sluice's rendering of each value to `rendered`.
void compare_row(const RowImage& image, const TableSchema& schema, const std::vector<Text>& server,
                 const std::vector<ColumnSpec>& cols, const std::string& what, size_t& compared,
                 std::vector<Text>& rendered) {
  REQUIRE(image.present);
  size_t k = 0;
  for (const auto& c : cols) {
    const auto idx = schema.column_index(c.name);
    REQUIRE_MESSAGE(idx, c.name);
    const Value& v = image[*idx];
    for (const auto& ch : c.checks) {
      INFO(what << " column " << c.name << " (" << c.type << ") check " << ch.expr << " kind "
                << to_string(v.kind));
      const Text want = normalise(server[k++], ch.render);
      const Text got = render(v, ch.render);
      rendered.push_back(got);
      if (want && got && want->size() > 200) {
        CHECK(want->size() == got->size());
        CHECK((*want == *got));
      } else {
        CHECK_MESSAGE(want == got,
                      "server " << want.value_or("NULL") << " binlog " << got.value_or("NULL"));
      }
      ++compared;
    }
  }
}

void prepare_session(MariaDbSession& sql) {
  sql.run("SET time_zone = '+00:00'");
  // Strict, but zero dates allowed: they are edge values of the matrix.
  sql.run("SET sql_mode = 'STRICT_ALL_TABLES'");
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
}

// Runs the matrix once: creates the table, streams inserts, updates and deletes, compares every
// value with the server's; returns sluice's renderings in event order (with the schema's column
// names and source types first), so two runs can be compared whole.
// `table_first`: the table exists when the source opens (the schema history reads it from
// information_schema); else the source opens first and learns it from the CREATE TABLE.
std::vector<Text> run_matrix(uint32_t server_id, const std::string& pipeline,
                             bool table_first = true) {
  std::vector<Text> rendered;
  MariaDbSession sql;
  prepare_session(sql);
  const auto cols = matrix();
  std::string ddl = "CREATE TABLE sluice_it.matrix (id INT NOT NULL PRIMARY KEY";
  for (const auto& c : cols) ddl += ", `" + c.name + "` " + c.type;
  ddl += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  auto opts = cdc::testing::services_mysql_source_options(server_id, pipeline);
  opts.table_include = {"sluice_it\\.matrix"};
  MysqlSource src(opts);
  if (!table_first) {
    sql.run("DROP TABLE IF EXISTS sluice_it.matrix");
    REQUIRE_MESSAGE(src.open(Position{}), "open");
  }
  sql.run("DROP TABLE IF EXISTS sluice_it.matrix");
  sql.run(ddl);
  if (table_first) REQUIRE_MESSAGE(src.open(Position{}), "open");

  for (size_t set = 0; set < kValueSets; ++set) {
    std::string q = "INSERT INTO sluice_it.matrix VALUES (" + std::to_string(set);
    for (const auto& c : cols) q += ", " + c.values[set];
    sql.run(q + ")");
  }
  const Snapshot inserted = snapshot(sql, cols);
  REQUIRE(inserted.size() == kValueSets);
  for (size_t set = 0; set < kValueSets; ++set) {
    std::string q = "UPDATE sluice_it.matrix SET ";
    for (size_t ci = 0; ci < cols.size(); ++ci) {
      q += (ci ? ", `" : "`") + cols[ci].name + "` = " + cols[ci].values[kUpdateTo[set]];
    }
    sql.run(q + " WHERE id = " + std::to_string(set));
  }
  const Snapshot updated = snapshot(sql, cols);
  sql.run("DELETE FROM sluice_it.matrix");

  Collected got;
  collect(src, got, 3 * kValueSets, "matrix", std::chrono::seconds(30), /*rows_only=*/true);
  size_t compared = 0;
  for (size_t k = 0; k < got.events.size(); ++k) {
    const ChangeEvent& e = *got.events[k];
    const auto& schema = *e.schema;
    if (k < kValueSets) {
      REQUIRE(e.op == Op::insert);
      const int64_t id = e.after[0].i;
      CHECK(id == static_cast<int64_t>(k));
      compare_row(e.after, schema, inserted.at(id), cols, "insert id " + std::to_string(id),
                  compared, rendered);
    } else if (k < 2 * kValueSets) {
      REQUIRE(e.op == Op::update);
      const int64_t id = e.after[0].i;
      compare_row(e.before, schema, inserted.at(id), cols, "update before id " + std::to_string(id),
                  compared, rendered);
      compare_row(e.after, schema, updated.at(id), cols, "update after id " + std::to_string(id),
                  compared, rendered);
    } else {
      REQUIRE(e.op == Op::erase);
      const int64_t id = e.before[0].i;
      compare_row(e.before, schema, updated.at(id), cols, "delete id " + std::to_string(id),
                  compared, rendered);
    }
  }
  size_t checks_per_row = 0;
  for (const auto& c : cols) checks_per_row += c.checks.size();
  CHECK(compared == 4 * kValueSets * checks_per_row);
  MESSAGE("columns: " << cols.size() << ", values compared: " << compared);
  REQUIRE(!got.events.empty());
  const TableSchema& schema = *got.events.front()->schema;
  for (const auto& c : schema.columns) {
    rendered.push_back(c.name + " " + c.source_type + " " + c.charset + " " +
                       std::string(to_string(c.kind)));
  }
  rendered.push_back("primary key " + std::to_string(schema.primary_key.size()));
  src.close();
  return rendered;
}

TEST_CASE(
    "every MariaDB column type: binlog values equal the server's SELECT, insert/update/delete") {
  run_matrix(54101, "matrix");
}

// binlog_row_metadata=MINIMAL (MySQL 8's default): the TABLE_MAP carries types, signedness,
// charsets and geometry types but no names, ENUM/SET labels or key; the schema history supplies
// them, here from the binlog's CREATE TABLE (MariaDB's information_schema prints ENUM labels
// outside the BMP as '?', its metadata being utf8mb3; README says so). The matrix must come out
// exactly as with FULL.
TEST_CASE("every MariaDB column type with binlog_row_metadata=MINIMAL: identical to FULL") {
  const std::vector<Text> full = run_matrix(54103, "matrix-full");
  MariaDbSession root(MariaDbSession::As::root);
  REQUIRE(root.query("SELECT @@global.binlog_row_metadata")[0][0] == "FULL");
  root.run("SET GLOBAL binlog_row_metadata = MINIMAL");
  struct Restore {
    MariaDbSession& root;
    ~Restore() { root.run("SET GLOBAL binlog_row_metadata = FULL"); }
  } restore{root};
  const std::vector<Text> minimal = run_matrix(54104, "matrix-minimal", /*table_first=*/false);
  REQUIRE(full.size() == minimal.size());
  size_t differ = 0;
  for (size_t k = 0; k < full.size(); ++k) {
    if (full[k] != minimal[k]) {
      if (++differ <= 5) {
        MESSAGE("value " << k << ": FULL " << full[k].value_or("NULL").substr(0, 120) << " MINIMAL "
                         << minimal[k].value_or("NULL").substr(0, 120));
      }
    }
  }
  CHECK(differ == 0);
  MESSAGE("values compared FULL against MINIMAL: " << full.size());
}

TEST_CASE("16 MB BLOB and TEXT values stream whole: insert, update, delete") {
  MariaDbSession sql;
  prepare_session(sql);
  sql.run("DROP TABLE IF EXISTS sluice_it.big");
  sql.run(
      "CREATE TABLE sluice_it.big (id INT PRIMARY KEY, lb LONGBLOB, lt LONGTEXT) ENGINE=InnoDB");
  auto opts = cdc::testing::services_mysql_source_options(54102, "matrix-big");
  opts.table_include = {"sluice_it\\.big"};
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  constexpr size_t k16M = 16u << 20;
  // 16 MiB + 1: the row event exceeds one 16 MiB protocol packet (0xFFFFFF), so the stream
  // must reassemble continuation packets.
  sql.run("INSERT INTO sluice_it.big VALUES (1, CONCAT(REPEAT(x'A5', " + std::to_string(k16M) +
          "), x'00'), REPEAT('\xC3\xA9', 8 * 1024 * 1024))");
  sql.run("UPDATE sluice_it.big SET lb = REPEAT(x'5A', " + std::to_string(k16M) +
          "), lt = '' WHERE id = 1");
  sql.run("DELETE FROM sluice_it.big WHERE id = 1");
  Collected got;
  collect(src, got, 3, "big", std::chrono::seconds(30));
  const std::string first = std::string(k16M, '\xA5') + std::string(1, '\0');
  const std::string second(k16M, '\x5A');
  std::string e_acute;
  for (int k = 0; k < 8 * 1024 * 1024; ++k) e_acute += "\xC3\xA9";
  const auto& ins = *got.events[0];
  CHECK(ins.op == Op::insert);
  CHECK(ins.after[1].kind == ValueKind::bytes);
  CHECK(ins.after[1].text.size() == k16M + 1);
  CHECK((ins.after[1].text == first));
  CHECK(ins.after[2].kind == ValueKind::string);
  CHECK(ins.after[2].text.size() == k16M);
  CHECK((ins.after[2].text == e_acute));
  const auto& upd = *got.events[1];
  CHECK(upd.op == Op::update);
  CHECK((upd.before[1].text == first));
  CHECK((upd.after[1].text == second));
  CHECK(upd.after[2] == Value::string(""));
  const auto& del = *got.events[2];
  CHECK(del.op == Op::erase);
  CHECK((del.before[1].text == second));
  src.close();
}

}  // namespace
}  // namespace cdc::mysql
