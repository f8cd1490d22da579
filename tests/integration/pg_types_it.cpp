// pg_types_it: cdc/postgres/types against the real PostgreSQL 15. A table per type of issue 16's
// list holds its edge values; each value is read as `SELECT c` in text format (the output
// function's text, which pgoutput sends) with the session settings the source uses, converted,
// and compared with
// what the server says about the same value through another path: the IEEE bits
// (float8send), days and microseconds (date_send, timestamptz_send), the scale, the hex of the
// bytes, to_json(c) for arrays and composites, the server's own iso_8601 interval text, and
// the converted text cast back to the type and compared with `=`. The built-in type table
// and the catalog query are checked against pg_type; timestamptz under every time zone of
// pg_timezone_names, timetz at every whole-minute offset.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/value_json.h"
#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_types.h"
#include "tests/support/services_env.h"

using namespace cdc;
using namespace cdc::postgres;
using cdc::testing::service_value;

namespace {

using Cell = std::optional<std::string>;
using Rows = std::vector<std::vector<Cell>>;

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};

class Pg {
 public:
  Pg() {
    const std::string host = service_value("SLUICE_PG_HOST"),
                      port = service_value("SLUICE_PG_PORT"),
                      user = service_value("SLUICE_PG_USER"),
                      password = service_value("SLUICE_PG_PASSWORD"),
                      db = service_value("SLUICE_PG_DATABASE");
    // The settings the source connects with: the text form parsed is theirs.
    const char* keys[] = {"host",    "port", "user", "password", "dbname", "connect_timeout",
                          "options", nullptr};
    const char* values[] = {host.c_str(), port.c_str(), user.c_str(),         password.c_str(),
                            db.c_str(),   "10",         pg_session_options(), nullptr};
    conn_.reset(PQconnectdbParams(keys, values, 0));
    INFO("libpq: ", PQerrorMessage(conn_.get()));
    REQUIRE(PQstatus(conn_.get()) == CONNECTION_OK);
  }

  Rows query(const std::string& sql, const std::vector<Cell>& params = {}) {
    std::vector<const char*> p;
    for (const Cell& c : params) p.push_back(c ? c->c_str() : nullptr);
    std::unique_ptr<PGresult, PgResultCloser> res(PQexecParams(conn_.get(), sql.c_str(),
                                                               static_cast<int>(p.size()), nullptr,
                                                               p.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(res.get());
    INFO("query: ", sql.substr(0, 300));
    INFO("libpq: ", PQerrorMessage(conn_.get()));
    REQUIRE((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
    Rows rows;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
      std::vector<Cell> row;
      for (int c = 0; c < PQnfields(res.get()); ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                       static_cast<size_t>(PQgetlength(res.get(), r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
  void exec(const std::string& sql) { query(sql); }
  std::string scalar(const std::string& sql, const std::vector<Cell>& params = {}) {
    Rows rows = query(sql, params);
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0][0].has_value());
    return *rows[0][0];
  }

 private:
  std::unique_ptr<PGconn, PgConnCloser> conn_;
};

// Reads the types of `oids` and of what they are made of into the registry, as the source
// does: the catalog query until nothing is unknown.
void learn_types(Pg& pg, PgTypeRegistry& registry, std::vector<uint32_t> oids) {
  for (int round = 0; round < 10; ++round) {
    const std::vector<uint32_t> unknown = registry.unknown_oids(oids);
    if (unknown.empty()) return;
    std::string param = "{";
    for (uint32_t o : unknown) param += (param.size() > 1 ? "," : "") + std::to_string(o);
    param += "}";
    const Rows rows = pg.query(PgTypeRegistry::catalog_query(), {param});
    REQUIRE(rows.size() == unknown.size());
    for (const auto& row : rows) {
      auto added = registry.add_from_row(row);
      INFO((added ? std::string() : added.error().message));
      REQUIRE(added);
    }
  }
  FAIL("types still unknown after 10 rounds");
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

template <class F>
std::string ieee_hex_big_endian(F f) {
  unsigned char b[sizeof(F)];
  std::memcpy(b, &f, sizeof(F));
  std::string s(reinterpret_cast<char*>(b), sizeof(F));
  return hex(std::string(s.rbegin(), s.rend()));
}

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {  // Hinnant's, independent of ours
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t date_days(const Value& v) {
  const int64_t a = v.i < 0 ? -v.i : v.i;
  const int64_t year = (v.i < 0 ? -1 : 1) * (a / 10000);
  return days_from_civil(year, a / 100 % 100, a % 100);
}

std::string int128_text(__int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string s;
  while (v != 0) {
    const int digit = static_cast<int>(v % 10);
    s.push_back(static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    v /= 10;
  }
  if (negative) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

constexpr int64_t kDays1970To2000 = 10957;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

// A big-endian two's complement integer of 4 or 8 bytes in hex (the send functions' output).
int64_t from_hex(const std::string& h) {
  const uint64_t u = std::stoull(h, nullptr, 16);
  return h.size() == 8 ? static_cast<int32_t>(static_cast<uint32_t>(u)) : static_cast<int64_t>(u);
}

// Microseconds since 2000-01-01 of a datetime Value (no zone), in 128 bits: the largest
// timestamp is beyond int64 microseconds since 1970.
std::string datetime_micros_since_2000(const Value& v) {
  const int64_t a = v.i < 0 ? -v.i : v.i;
  const int64_t ymd = a / 1000000, hms = a % 1000000;
  const int64_t year = (v.i < 0 ? -1 : 1) * (ymd / 10000);
  const __int128 days = days_from_civil(year, ymd / 100 % 100, ymd % 100);
  const int64_t seconds = hms / 10000 * 3600 + hms / 100 % 100 * 60 + hms % 100;
  return int128_text(((days - kDays1970To2000) * 86400 + seconds) * 1000000 + v.aux);
}

// The text[] literal of `values` (each quoted), for feeding converted values back.
std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (char c : v) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out + "}";
}

std::string rendered(const Value& v) {
  std::string out;
  json::JsonWriter w(out);
  json::write_value(w, v);
  return out;
}

// How a type's converted values are compared with the server.
enum class Check {
  json,         // write_value(value) == to_json(c)::text
  text,         // value.text == c::text
  roundtrip,    // value.text::<type> = c on the server
  integer,      // value.i == c's text
  decimal,      // value.text == c::text, value.aux == scale(c)
  money,        // value.text == c::numeric::text
  float4,       // IEEE bits == float4send(c)
  float8,       // IEEE bits == float8send(c)
  bytes,        // hex(value.text) == encode(c, 'hex')
  date,         // days == date_send(c)
  time,         // value.i == time_send(c)
  timetz,       // roundtrip with the same zone
  timestamp,    // microseconds of the datetime == timestamp_send(c)
  timestamptz,  // value.i == timestamptz_send(c)
  interval,     // value.text == c::text under IntervalStyle=iso_8601
  enumeration,
  bits,   // value.u == c as bigint, value.aux == length(c)
  point,  // WKB x and y == float8send(c[0]), float8send(c[1])
};

std::string check_sql(Check check) {
  switch (check) {
    case Check::decimal: return "scale(c)::text";
    case Check::money: return "c::numeric::text";
    case Check::float4: return "encode(float4send(c), 'hex')";
    case Check::float8: return "encode(float8send(c), 'hex')";
    case Check::bytes: return "encode(c, 'hex')";
    // The binary send functions: days and microseconds since 2000-01-01 exactly
    // (extract(epoch) goes through a double for timestamps).
    case Check::date: return "encode(date_send(c), 'hex')";
    case Check::time: return "encode(time_send(c), 'hex')";
    case Check::timestamp: return "encode(timestamp_send(c), 'hex')";
    case Check::timestamptz: return "encode(timestamptz_send(c), 'hex')";
    case Check::enumeration: return "array_position(enum_range(c), c)::text";
    case Check::bits: return "lpad(c::text, 64, '0')::bit(64)::bigint::text";
    case Check::point: return "encode(float8send(c[0]), 'hex') || encode(float8send(c[1]), 'hex')";
    default: return "NULL::text";
  }
}

struct MatrixType {
  std::string sql_type;
  ValueKind kind;
  Check check;
  std::vector<std::string> values;  // SQL expressions
  PgTypeOptions options{.temporal_infinity = TemporalInfinity::null};
};

size_t big_bytes() {
  const char* mb = std::getenv("SLUICE_PG_TYPES_BIG_MB");
  return (mb != nullptr ? std::strtoull(mb, nullptr, 10) : 16) * 1024 * 1024;
}

std::vector<MatrixType> matrix() {
  const std::string big = std::to_string(big_bytes());
  const std::string thousand_nines(1000, '9');
  const std::string thousand_digits = "1234567890" + std::string(990, '7');
  return {
      {"boolean", ValueKind::boolean, Check::json, {"true", "false"}},
      {"smallint", ValueKind::int64, Check::json, {"-32768", "32767", "0"}},
      {"integer", ValueKind::int64, Check::json, {"-2147483648", "2147483647"}},
      {"bigint", ValueKind::int64, Check::json, {"-9223372036854775808", "9223372036854775807"}},
      {"oid", ValueKind::int64, Check::integer, {"0", "4294967295"}},
      {"numeric",
       ValueKind::decimal,
       Check::decimal,
       {"0", "-0.000001", "'" + thousand_nines + "'",
        "'-" + thousand_digits + "." + thousand_digits + "'", "'1e-1000'", "'12.3400'"}},
      {"numeric(12,4)",
       ValueKind::decimal,
       Check::decimal,
       {"99999999.9999", "-99999999.9999", "0"}},
      {"numeric(3,-2)", ValueKind::decimal, Check::decimal, {"99900", "-1234"}},
      {"numeric",
       ValueKind::string,
       Check::text,
       {"'NaN'", "'Infinity'", "'-Infinity'", "'1.50'"},
       {.decimal_handling = DecimalHandling::string}},
      {"real",
       ValueKind::float32,
       Check::float4,
       {"'3.4028235e38'", "'-1.4e-45'", "'1.17549435e-38'", "'NaN'", "'Infinity'", "'-Infinity'",
        "'-0'", "'0.1'"}},
      {"double precision",
       ValueKind::float64,
       Check::float8,
       {"'1.7976931348623157e308'", "'4.9e-324'", "'2.2250738585072014e-308'", "'NaN'",
        "'Infinity'", "'-Infinity'", "'-0'", "'0.1'", "'123456789012345680000'"}},
      {"text",
       ValueKind::string,
       Check::text,
       {"''", "'NULL'", "'h\xc3\xa9llo \xf0\x9f\x98\x80 \xe2\x80\xa8'",
        "E'tab\\t nl\\n cr\\r \\\\ \"q\" \\x01 \\x7f'", "repeat('toast ', " + big + " / 6)"}},
      {"character varying(20)", ValueKind::string, Check::text, {"''", "'twenty chars exactly'"}},
      {"character(5)", ValueKind::string, Check::text, {"'ab'", "''", "'abcde'"}},
      {"bpchar", ValueKind::string, Check::text, {"'x '"}},
      {"name", ValueKind::string, Check::text, {"'pg_class'", "repeat('n', 63)"}},
      {"\"char\"", ValueKind::string, Check::text, {"'a'", "''"}},
      {"citext", ValueKind::string, Check::roundtrip, {"'MiXeD'", "''"}},
      {"bytea",
       ValueKind::bytes,
       Check::bytes,
       {"'\\x'", "'\\x00ff7f80'",
        "(SELECT string_agg(decode(md5(i::text), 'hex'), ''::bytea) FROM generate_series(1, " +
            big + " / 16) i)"}},
      {"uuid",
       ValueKind::string,
       Check::roundtrip,
       {"'00000000-0000-0000-0000-000000000000'", "'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'"}},
      {"date",
       ValueKind::date,
       Check::date,
       {"'4714-11-24 BC'", "'5874897-12-31'", "'0001-01-01'", "'0001-12-31 BC'", "'0044-03-15 BC'",
        "'2024-02-29'", "'infinity'", "'-infinity'"}},
      {"time without time zone",
       ValueKind::time,
       Check::time,
       {"'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:00:00.5'"}},
      {"time(3) without time zone", ValueKind::time, Check::time, {"'12:34:56.7891'"}},
      {"time with time zone",
       ValueKind::string,
       Check::timetz,
       {"'00:00:00+15:59'", "'23:59:59.999999-15:59'", "'24:00:00+00'", "'12:00:00+05:30'",
        "'12:00:00-01:22:05'"}},
      {"timestamp without time zone",
       ValueKind::datetime,
       Check::timestamp,
       {"'4714-11-24 00:00:00 BC'", "'294276-12-31 23:59:59.999999'", "'0001-12-31 23:59:59 BC'",
        "'2024-02-29 12:34:56.5'", "'1970-01-01'", "'infinity'", "'-infinity'"}},
      {"timestamp(0) without time zone",
       ValueKind::datetime,
       Check::timestamp,
       {"'2024-02-29 12:34:56.5'"}},
      {"timestamp with time zone",
       ValueKind::timestamp,
       Check::timestamptz,
       {"'4714-11-24 00:00:00+00 BC'", "'294247-01-10 04:00:54.775807+00'",
        "'1969-12-31 23:59:59.999999+00'", "'2024-02-29 12:34:56.5+05:30'", "'infinity'",
        "'-infinity'"}},
      {"interval",
       ValueKind::string,
       Check::interval,
       {"'00:00:00'", "'178000000 years'", "'-178000000 years'",
        "'1 year 2 mons 3 days 04:05:06.789'", "'-1 days +00:00:01'", "'1 year -1 mons'",
        "'2562047788:00:54.775807'", "'-2562047788:00:54.775807'::interval - '1 microsecond'",
        "'-0.000001 seconds'", "'-2147483648 days'", "'2147483647 mons'"}},
      {"interval day to second(3)", ValueKind::string, Check::interval, {"'1 day 00:00:00.123'"}},
      {"json",
       ValueKind::json,
       Check::text,
       {"'{}'", "'[]'", "'{\"a\" : [1, 2.50, 1e400], \"a\": null}'", "'\"\\u0000\"'",
        "'  true  '"}},
      {"jsonb",
       ValueKind::json,
       Check::text,
       {"'{\"b\": {\"c\": [1, \"x\"]}, \"a\": 1.50}'", "'\"s\"'", "'null'", "'[]'"}},
      {"xml", ValueKind::string, Check::text, {"'<a b=\"1\">x &amp; \xc3\xa9</a>'", "'just text'"}},
      {"integer[]",
       ValueKind::json,
       Check::json,
       {"'{}'", "'{NULL,NULL}'", "'{{1,2},{3,4}}'", "'[0:1]={1,2}'", "'{{{1}},{{NULL}}}'",
        "ARRAY[-2147483648, 2147483647]"}},
      {"text[]",
       ValueKind::json,
       Check::json,
       {"'{}'", "ARRAY['', 'NULL', NULL, 'a b', 'q\"uote', 'back\\slash', '{}', ',', E'\\n']"}},
      {"numeric[]", ValueKind::json, Check::json, {"'{1.50,NaN,Infinity,-Infinity,-0.001}'"}},
      {"double precision[]", ValueKind::json, Check::json, {"'{NaN,Infinity,1e300,-0,0.1}'"}},
      {"boolean[]", ValueKind::json, Check::json, {"'{t,f,NULL}'"}},
      {"date[]", ValueKind::json, Check::json, {"'{2024-02-29,0044-03-15 BC,infinity,NULL}'"}},
      {"timestamp without time zone[]",
       ValueKind::json,
       Check::json,
       {"ARRAY['2024-02-29 12:34:56.5', '0001-01-01 00:00:00 BC', 'infinity']::timestamp[]"}},
      {"timestamp with time zone[]",
       ValueKind::json,
       Check::json,
       {"ARRAY['2024-02-29 12:34:56.5+05:30', '0010-01-01 00:00:00+00 BC']::timestamptz[]"}},
      {"time with time zone[]", ValueKind::json, Check::json, {"'{12:00:00+05:30}'"}},
      {"bytea[]", ValueKind::json, Check::json, {"ARRAY['\\x00ff'::bytea, NULL, '\\x']"}},
      {"jsonb[]",
       ValueKind::json,
       Check::json,
       {"ARRAY['{\"a\": [1, \"x\"]}'::jsonb, 'null', NULL]"}},
      {"json[]", ValueKind::json, Check::json, {"ARRAY['{ \"a\" : 1 }'::json]"}},
      {"uuid[]", ValueKind::json, Check::json, {"'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"}},
      {"box[]", ValueKind::json, Check::json, {"'{(1,1),(0,0);(3,3),(2,2)}'"}},
      {"interval[]", ValueKind::json, Check::json, {"'{\"1 day\",\"-00:00:01\"}'"}},
      {"money[]", ValueKind::json, Check::json, {"'{$1.00,-$2.50}'"}},
      {"int4range[]", ValueKind::json, Check::json, {"'{\"[1,5)\",empty}'"}},
      {"pgtypes_it.mood",
       ValueKind::enum_label,
       Check::enumeration,
       {"'sad'", "'happy, \"very\"'",
        "'\xc3\xbc"
        "ber'"}},
      {"pgtypes_it.mood[]", ValueKind::json, Check::json, {"'{sad,\"happy, \\\"very\\\"\",NULL}'"}},
      {"\"Odd Schema\".\"Color\"", ValueKind::enum_label, Check::enumeration, {"'Red'"}},
      {"pgtypes_it.positive", ValueKind::decimal, Check::decimal, {"12.5", "99999999.99"}},
      {"pgtypes_it.code", ValueKind::string, Check::text, {"'abc'"}},
      {"pgtypes_it.ints", ValueKind::json, Check::json, {"'{1,NULL}'"}},
      {"pgtypes_it.pair",
       ValueKind::json,
       Check::json,
       {"ROW(1, 'a \"b\" (c), \\ d', 'sad', '0044-03-15 BC')", "ROW(NULL, '', NULL, NULL)",
        "ROW(NULL, NULL, NULL, NULL)"}},
      {"pgtypes_it.nested",
       ValueKind::json,
       Check::json,
       {"ROW(ROW(1, 'x', 'ok', '2024-01-01'), ARRAY[ROW(2, 'y,z', 'sad', NULL)::pgtypes_it.pair, "
        "NULL], '{{1},{2}}', '2024-02-29 12:00:00+05', '{\"k\": [true]}', '\\x0102')"}},
      {"pgtypes_it.pair[]",
       ValueKind::json,
       Check::json,
       {"ARRAY[ROW(1, 'x', 'ok', NULL)::pgtypes_it.pair, ROW(NULL, '', NULL, "
        "NULL)::pgtypes_it.pair]"}},
      {"int4range",
       ValueKind::string,
       Check::roundtrip,
       {"'empty'", "'[1,5)'", "'(,)'", "'[-2147483648,0]'"}},
      {"int8range", ValueKind::string, Check::roundtrip, {"'[,9223372036854775806]'"}},
      {"numrange", ValueKind::string, Check::roundtrip, {"'(-1.5,NaN]'", "'[0,)'"}},
      {"tsrange",
       ValueKind::string,
       Check::roundtrip,
       {"'[2024-01-01,infinity)'", "'(-infinity,2024-01-01 12:00:00.5]'"}},
      {"tstzrange",
       ValueKind::string,
       Check::roundtrip,
       {"'[2024-01-01 00:00:00+05:30,2024-01-02)'"}},
      {"daterange", ValueKind::string, Check::roundtrip, {"'[0044-03-15 BC,2024-01-01)'"}},
      {"pgtypes_it.floatrange", ValueKind::string, Check::roundtrip, {"'[-Infinity,1.5)'"}},
      {"int4multirange", ValueKind::string, Check::roundtrip, {"'{}'", "'{[1,3),[5,7)}'"}},
      {"datemultirange",
       ValueKind::string,
       Check::roundtrip,
       {"'{[2024-01-01,2024-02-01),[2024-03-01,)}'"}},
      {"inet",
       ValueKind::string,
       Check::roundtrip,
       {"'192.168.0.1'", "'10.0.0.0/8'", "'::1'", "'2001:db8::1/64'", "'::ffff:1.2.3.4'"}},
      {"cidr",
       ValueKind::string,
       Check::roundtrip,
       {"'10.0.0.0/8'", "'2001:db8::/32'", "'1.2.3.4/32'"}},
      {"macaddr",
       ValueKind::string,
       Check::roundtrip,
       {"'08:00:2b:01:02:03'", "'FF-FF-FF-FF-FF-FF'"}},
      {"macaddr8", ValueKind::string, Check::roundtrip, {"'08:00:2b:01:02:03:04:05'"}},
      {"money",
       ValueKind::decimal,
       Check::money,
       {"'-92233720368547758.08'", "'92233720368547758.07'", "0", "'1234.5'"}},
      {"bit(1)", ValueKind::bit, Check::bits, {"B'0'", "B'1'"}},
      {"bit(10)", ValueKind::bit, Check::bits, {"B'1000000001'"}},
      {"bit(64)", ValueKind::bit, Check::bits, {"~B'0'::bit(64)", "B'1'::bit(64)"}},
      {"bit(100)", ValueKind::string, Check::roundtrip, {"~B'0'::bit(100)"}},
      {"bit varying(200)", ValueKind::string, Check::roundtrip, {"B''", "B'10110'"}},
      {"point",
       ValueKind::geometry,
       Check::point,
       {"'(1.5,-2)'", "'(NaN,Infinity)'", "'(-0,1e300)'"}},
      {"line", ValueKind::string, Check::text, {"'{1,-1,0}'"}},
      {"lseg", ValueKind::string, Check::text, {"'[(0,0),(1,1)]'"}},
      {"box", ValueKind::string, Check::text, {"'(1,1),(0,0)'"}},
      {"path", ValueKind::string, Check::text, {"'((0,0),(1,1),(2,0))'", "'[(0,0),(1.5,1)]'"}},
      {"polygon", ValueKind::string, Check::text, {"'((0,0),(1,1),(2,0))'"}},
      {"circle", ValueKind::string, Check::text, {"'<(0,0),2.5>'"}},
      {"pg_lsn", ValueKind::string, Check::roundtrip, {"'16/B374D848'", "'0/0'"}},
      {"tsvector", ValueKind::string, Check::text, {"'a fat cat'::tsvector"}},
      {"tsquery", ValueKind::string, Check::text, {"'fat & (rat | cat)'"}},
  };
}

void create_types(Pg& pg) {
  pg.exec("DROP SCHEMA IF EXISTS pgtypes_it CASCADE");
  pg.exec("DROP SCHEMA IF EXISTS \"Odd Schema\" CASCADE");
  pg.exec("CREATE SCHEMA pgtypes_it");
  pg.exec("CREATE SCHEMA \"Odd Schema\"");
  pg.exec("CREATE EXTENSION IF NOT EXISTS citext");
  pg.exec(
      "CREATE TYPE pgtypes_it.mood AS ENUM ('sad', 'ok', 'happy, \"very\"', '\xc3\xbc"
      "ber')");
  pg.exec("CREATE TYPE \"Odd Schema\".\"Color\" AS ENUM ('Red', 'green')");
  pg.exec("CREATE TYPE pgtypes_it.pair AS (n int, t text, m pgtypes_it.mood, d date)");
  pg.exec(
      "CREATE TYPE pgtypes_it.nested AS (p pgtypes_it.pair, ps pgtypes_it.pair[], a int[], "
      "ts timestamptz, j jsonb, b bytea)");
  pg.exec("CREATE DOMAIN pgtypes_it.positive AS numeric(10,2) CHECK (VALUE > 0)");
  pg.exec("CREATE DOMAIN pgtypes_it.code AS varchar(8)");
  pg.exec("CREATE DOMAIN pgtypes_it.ints AS int[]");
  pg.exec("CREATE TYPE pgtypes_it.floatrange AS RANGE (subtype = float8)");
}

}  // namespace

TEST_CASE("the built-in type table is PostgreSQL 15's pg_type") {
  Pg pg;
  const Rows rows = pg.query(
      "SELECT t.oid::text, t.typname::text, t.typtype::text, t.typcategory::text, "
      "t.typelem::text, COALESCE(r.rngsubtype, mr.rngsubtype, 0)::text, t.typdelim::text "
      "FROM pg_type t LEFT JOIN pg_range r ON r.rngtypid = t.oid "
      "LEFT JOIN pg_range mr ON mr.rngmultitypid = t.oid "
      "WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype IN ('b', 'r', 'm') "
      "ORDER BY t.oid");
  const PgTypeRegistry registry;
  size_t matched = 0;
  for (const BuiltinType& b : builtin_types()) {
    const auto it = std::find_if(rows.begin(), rows.end(),
                                 [&](const auto& row) { return *row[0] == std::to_string(b.oid); });
    INFO("oid ", b.oid, " ", b.name);
    REQUIRE(it != rows.end());
    const auto& row = *it;
    CHECK(*row[1] == b.name);
    CHECK(*row[2] == std::string(1, b.typtype));
    CHECK(*row[3] == std::string(1, b.category));
    CHECK(*row[4] == std::to_string(b.element_oid));
    CHECK(*row[5] == std::to_string(b.range_subtype));
    CHECK(*row[6] == std::string(1, registry.find(b.oid)->delimiter));
    ++matched;
  }
  CHECK(matched == builtin_types().size());
  // The catalog query reads a built-in the same way the table has it.
  PgTypeRegistry empty_of_box;
  const Rows box = pg.query(PgTypeRegistry::catalog_query(), {"{603,1020,3904,4451}"});
  REQUIRE(box.size() == 4);
  for (const auto& row : box) {
    REQUIRE(empty_of_box.add_from_row(row));
    const PgTypeInfo* read = empty_of_box.find(static_cast<uint32_t>(std::stoul(*row[0])));
    const PgTypeInfo* builtin = registry.find(read->oid);
    CHECK(read->name == builtin->name);
    CHECK(read->schema == "pg_catalog");
    CHECK(read->category == builtin->category);
    CHECK(read->element_oid == builtin->element_oid);
    CHECK(read->range_subtype == builtin->range_subtype);
    CHECK(read->delimiter == builtin->delimiter);
  }
}

TEST_CASE("type matrix: every type's edge values against the server's own renderings") {
  Pg pg;
  create_types(pg);
  const std::vector<MatrixType> types = matrix();
  size_t compared = 0;
  for (size_t type_idx = 0; type_idx < types.size(); ++type_idx) {
    const MatrixType& t = types[type_idx];
    INFO("type ", t.sql_type);
    const std::string table = "pgtypes_it.m" + std::to_string(type_idx);
    pg.exec("CREATE TABLE " + table + " (id int PRIMARY KEY, c " + t.sql_type + ")");
    for (size_t row_idx = 0; row_idx < t.values.size(); ++row_idx) {
      pg.exec("INSERT INTO " + table + " VALUES (" + std::to_string(row_idx + 1) + ", " +
              t.values[row_idx] + ")");
    }
    const Rows attr = pg.query(
        "SELECT atttypid::text, atttypmod::text, format_type(atttypid, atttypmod) "
        "FROM pg_attribute WHERE attrelid = '" +
        table + "'::regclass AND attname = 'c'");
    const auto type_oid = static_cast<uint32_t>(std::stoul(*attr[0][0]));
    const int32_t typmod = std::stoi(*attr[0][1]);
    PgTypeRegistry registry;
    registry.set_options(t.options);
    learn_types(pg, registry, {type_oid});
    auto column = pg_column(registry, "c", type_oid, typmod);
    REQUIRE(column);
    CHECK(column->source_type == *attr[0][2]);
    CHECK(column->kind == t.kind);

    // `c` in text format is the output function's text, which pgoutput sends (c::text is not
    // always: boolean's cast prints "true", inet's adds "/32").
    const Rows rows = pg.query("SELECT id, c, to_json(c)::text, " + check_sql(t.check) + " FROM " +
                               table + " ORDER BY id");
    REQUIRE(rows.size() == t.values.size());
    std::vector<std::string> iso;
    if (t.check == Check::interval) {
      pg.exec("SET IntervalStyle = iso_8601");
      for (const auto& row : pg.query("SELECT c FROM " + table + " ORDER BY id")) {
        iso.push_back(*row[0]);
      }
      pg.exec("SET IntervalStyle = postgres");
    }
    Arena arena;
    std::vector<std::string> back;  // converted texts to cast back, for roundtrip and timetz
    for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
      const auto& row = rows[row_idx];
      const std::string& text = *row[1];
      const std::string label = t.values[row_idx].substr(0, 200) + " text " + text.substr(0, 200);
      INFO("value ", label);  // INFO captures by reference: no temporaries
      auto converted = pg_text_value(registry, *column, type_oid, typmod, text, arena);
      INFO((converted ? "" : converted.error().message));
      REQUIRE(converted);
      const Value v = *converted;
      ++compared;
      if (text == "infinity" || text == "-infinity") {
        CHECK(v.is_null());  // temporal.infinity.handling: null
        continue;
      }
      CHECK(v.kind == t.kind);
      const std::string& server = row[3] ? *row[3] : std::string();
      switch (t.check) {
        case Check::json: CHECK(rendered(v) == *row[2]); break;
        case Check::text: CHECK(v.text == text); break;
        case Check::roundtrip:
          CHECK(v.text == text);
          back.emplace_back(v.text);
          break;
        case Check::decimal:
          CHECK(v.text == text);
          CHECK(std::to_string(v.aux) == server);
          break;
        case Check::money:
          CHECK(v.text == server);
          CHECK(v.aux == 2);
          break;
        case Check::float4: CHECK(ieee_hex_big_endian(static_cast<float>(v.d)) == server); break;
        case Check::float8: CHECK(ieee_hex_big_endian(v.d) == server); break;
        case Check::bytes: CHECK(hex(v.text) == server); break;
        case Check::integer: CHECK(std::to_string(v.i) == text); break;
        case Check::date: CHECK(date_days(v) - kDays1970To2000 == from_hex(server)); break;
        case Check::time: CHECK(v.i == from_hex(server)); break;
        case Check::timetz: back.emplace_back(v.text); break;
        case Check::timestamp:
          CHECK(datetime_micros_since_2000(v) == int128_text(from_hex(server)));
          break;
        case Check::timestamptz:
          CHECK(v.i - kDays1970To2000 * kMicrosPerDay == from_hex(server));
          break;
        case Check::interval: CHECK(v.text == iso[row_idx]); break;
        case Check::enumeration:
          CHECK(v.text == text);
          CHECK(std::to_string(v.u) == server);
          break;
        case Check::bits:
          CHECK(std::to_string(static_cast<int64_t>(v.u)) == server);
          CHECK(v.aux == static_cast<uint32_t>(typmod));
          break;
        case Check::point: {
          REQUIRE(v.text.size() == 21);
          double x, y;
          std::memcpy(&x, v.text.data() + 5, 8);
          std::memcpy(&y, v.text.data() + 13, 8);
          CHECK(ieee_hex_big_endian(x) + ieee_hex_big_endian(y) == server);
          break;
        }
      }
    }
    if (!back.empty()) {
      // Every converted text, cast back to the column's type, equals the stored value (for
      // timetz also in its zone).
      const std::string same =
          t.check == Check::timetz
              ? "v::timetz = c AND extract(timezone from v::timetz) = extract(timezone from c)"
              : "v::" + *attr[0][2] + " = c";
      CHECK(pg.scalar("SELECT count(*)::text FROM unnest($1::text[]) WITH ORDINALITY u(v, id) "
                      "JOIN " +
                          table + " USING (id) WHERE " + same,
                      {text_array(back)}) == std::to_string(back.size()));
    }
  }
  MESSAGE("values compared: ", compared, " in ", types.size(), " types");
  CHECK(compared > 200);
}

TEST_CASE("timestamptz under every time zone PostgreSQL knows, timetz at every offset") {
  Pg pg;
  pg.exec("DROP TABLE IF EXISTS pgtypes_tz");
  pg.exec("CREATE TABLE pgtypes_tz (id int PRIMARY KEY, c timestamptz)");
  pg.exec(
      "INSERT INTO pgtypes_tz VALUES (1, '1900-01-01 12:00:00+00'), (2, '1970-01-01 00:00:00+00'), "
      "(3, '2024-07-01 12:34:56.789+00'), (4, '2024-01-01 00:00:00.000001+00'), "
      "(5, '0044-03-15 12:00:00+00 BC'), (6, '9999-12-31 23:59:59+00'), (7, '1883-11-18 "
      "17:00:00+00')");
  const PgTypeRegistry registry;
  auto column = pg_column(registry, "c", oid::kTimestamptz, -1);
  REQUIRE(column);
  const Rows zones = pg.query("SELECT name FROM pg_timezone_names ORDER BY name");
  REQUIRE(zones.size() > 500);
  Arena arena;
  size_t seconds_offsets = 0;
  for (const auto& zone : zones) {
    pg.query("SELECT set_config('TimeZone', $1, false)", {zone[0]});
    for (const auto& row :
         pg.query("SELECT c, trunc(extract(epoch from c) * 1000000)::text FROM pgtypes_tz")) {
      INFO("zone ", *zone[0], " text ", *row[0]);
      auto v = pg_text_value(registry, *column, oid::kTimestamptz, -1, *row[0], arena);
      REQUIRE(v);
      CHECK(std::to_string(v->i) == *row[1]);
      if (std::count(row[0]->begin(), row[0]->end(), ':') == 4) ++seconds_offsets;
    }
  }
  pg.exec("SET TimeZone = 'UTC'");
  MESSAGE("zones: ", zones.size(), ", texts with an offset in seconds: ", seconds_offsets);
  CHECK(seconds_offsets > 0);  // local mean times before 1900 ("+00:19:32")

  pg.exec("DROP TABLE IF EXISTS pgtypes_timetz");
  pg.exec("CREATE TABLE pgtypes_timetz (id int PRIMARY KEY, c timetz)");
  pg.exec(
      "INSERT INTO pgtypes_timetz SELECT m + 960, ('12:34:56.789+00'::timetz AT TIME ZONE "
      "make_interval(mins => m)) FROM generate_series(-959, 959) m");
  auto tz_column = pg_column(registry, "c", oid::kTimetz, -1);
  REQUIRE(tz_column);
  std::vector<std::string> back;
  const Rows rows = pg.query("SELECT c FROM pgtypes_timetz ORDER BY id");
  REQUIRE(rows.size() == 1919);
  for (const auto& row : rows) {
    auto v = pg_text_value(registry, *tz_column, oid::kTimetz, -1, *row[0], arena);
    REQUIRE(v);
    back.emplace_back(v->text);
  }
  CHECK(back.front() == "20:35:56.789-15:59");
  CHECK(back.back() == "04:33:56.789+15:59");
  CHECK(pg.scalar("SELECT count(*)::text FROM unnest($1::text[]) WITH ORDINALITY u(v, id) "
                  "JOIN pgtypes_timetz USING (id) WHERE v::timetz = c AND "
                  "extract(timezone from v::timetz) = extract(timezone from c)",
                  {text_array(back)}) == "1919");
}

TEST_CASE("values sluice cannot hold stop with the column named, from the server's text") {
  Pg pg;
  const PgTypeRegistry registry;
  Arena arena;
  auto convert = [&](uint32_t type_oid, const std::string& sql) {
    const std::string text = pg.scalar("SELECT " + sql);
    auto column = pg_column(registry, "c", type_oid, -1);
    REQUIRE(column);
    auto v = pg_text_value(registry, *column, type_oid, -1, text, arena);
    return v ? std::string("converted") : v.error().message;
  };
  CHECK(convert(oid::kNumeric, "'NaN'::numeric") ==
        "column c (numeric): numeric NaN cannot be a decimal (decimal.handling.mode: string or "
        "double keeps it)");
  CHECK(convert(oid::kDate, "'infinity'::date") ==
        "column c (date): 'infinity' has no date or time value in sluice "
        "(temporal.infinity.handling: null makes it NULL)");
  CHECK(convert(oid::kTimestamptz, "'294276-12-31 23:59:59.999999+00'::timestamptz") ==
        "column c (timestamp with time zone): timestamp beyond the range of microseconds since "
        "1970 in 64 bits");
}
