#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "cdc/core/json/value_json.h"
#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_types.h"

using namespace cdc;
using namespace cdc::postgres;

namespace {

constexpr uint32_t kMood = 70001, kMoodArray = 70002, kPositive = 70003, kPair = 70004,
                   kPairArray = 70005, kFloatRange = 70006, kFloatMultirange = 70007,
                   kNested = 70008, kOwnSchema = 70009;

// What the source adds from the catalog query for these user types.
PgTypeRegistry user_types() {
  PgTypeRegistry r;
  r.add({.oid = kMood,
         .schema = "public",
         .name = "mood",
         .typtype = 'e',
         .category = 'E',
         .enum_labels = {"sad", "ok", "happy, \"very\""}});
  r.add({.oid = kMoodArray,
         .schema = "public",
         .name = "_mood",
         .typtype = 'b',
         .category = 'A',
         .element_oid = kMood});
  r.add({.oid = kPositive,
         .schema = "public",
         .name = "positive",
         .typtype = 'd',
         .category = 'N',
         .base_oid = oid::kNumeric,
         .base_typmod = (10 << 16 | 2) + 4});
  r.add({.oid = kPair,
         .schema = "public",
         .name = "pair",
         .typtype = 'c',
         .category = 'C',
         .fields = {{"n", oid::kInt4}, {"t", oid::kText}, {"m", kMood}}});
  r.add({.oid = kPairArray,
         .schema = "public",
         .name = "_pair",
         .typtype = 'b',
         .category = 'A',
         .element_oid = kPair});
  r.add({.oid = kFloatRange,
         .schema = "public",
         .name = "floatrange",
         .typtype = 'r',
         .category = 'R',
         .range_subtype = oid::kFloat8});
  r.add({.oid = kFloatMultirange,
         .schema = "public",
         .name = "floatmultirange",
         .typtype = 'm',
         .category = 'R',
         .range_subtype = oid::kFloat8});
  r.add({.oid = kNested,
         .schema = "public",
         .name = "nested",
         .typtype = 'c',
         .category = 'C',
         .fields = {{"p", kPair}, {"ps", kPairArray}, {"a", 1007}, {"ts", oid::kTimestamptz}}});
  r.add({.oid = kOwnSchema,
         .schema = "Sales",
         .name = "Code",
         .typtype = 'd',
         .category = 'S',
         .base_oid = oid::kVarchar,
         .base_typmod = 12});
  return r;
}

struct Converted {
  Column column;
  Value value;
  std::string rendered;  // debezium-json's typed rendering of the value
  std::string error;
};

Converted convert(const PgTypeRegistry& r, uint32_t type_oid, int32_t typmod, std::string_view text,
                  Arena& arena) {
  Converted c;
  auto col = pg_column(r, "c", type_oid, typmod);
  REQUIRE(col);
  c.column = *col;
  auto v = pg_text_value(r, c.column, type_oid, typmod, text, arena);
  if (!v) {
    c.error = v.error().message;
    return c;
  }
  c.value = *v;
  json::JsonWriter w(c.rendered);
  json::write_value(w, c.value);
  return c;
}

}  // namespace

TEST_CASE("every built-in of the list: kind, source type and rendered value") {
  const PgTypeRegistry r;
  Arena arena;
  struct Case {
    uint32_t oid;
    int32_t typmod;
    const char* text;
    ValueKind kind;
    const char* source_type;
    const char* rendered;
  };
  const std::string bits65(65, '1');  // outlives `cases` (a temporary's c_str() would not)
  const Case cases[] = {
      {16, -1, "t", ValueKind::boolean, "boolean", "true"},
      {21, -1, "-32768", ValueKind::int64, "smallint", "-32768"},
      {23, -1, "2147483647", ValueKind::int64, "integer", "2147483647"},
      {20, -1, "-9223372036854775808", ValueKind::int64, "bigint", "-9223372036854775808"},
      {26, -1, "4294967295", ValueKind::int64, "oid", "4294967295"},
      {1700, (12 << 16 | 4) + 4, "-12345678.9000", ValueKind::decimal, "numeric(12,4)",
       "\"-12345678.9000\""},
      {1700, -1, "0.000001", ValueKind::decimal, "numeric", "\"0.000001\""},
      {700, -1, "3.4028235e+38", ValueKind::float32, "real", "3.4028235e+38"},
      {701, -1, "-1.5e-300", ValueKind::float64, "double precision", "-1.5e-300"},
      {701, -1, "NaN", ValueKind::float64, "double precision", "null"},
      {25, -1, "h\xc3\xa9", ValueKind::string, "text", "\"h\xc3\xa9\""},
      {1043, 24, "abc", ValueKind::string, "character varying(20)", "\"abc\""},
      {1042, 9, "ab   ", ValueKind::string, "character(5)", "\"ab   \""},
      {1042, -1, "x", ValueKind::string, "bpchar", "\"x\""},
      {19, -1, "pg_class", ValueKind::string, "name", "\"pg_class\""},
      {18, -1, "a", ValueKind::string, "\"char\"", "\"a\""},
      {17, -1, "\\x00ff", ValueKind::bytes, "bytea", "\"AP8=\""},
      {2950, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ValueKind::string, "uuid",
       "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
      {1082, -1, "0044-03-15 BC", ValueKind::date, "date", "\"-0043-03-15\""},
      {1082, -1, "5874897-12-31", ValueKind::date, "date", "\"5874897-12-31\""},
      {1083, 3, "24:00:00", ValueKind::time, "time(3) without time zone", "\"24:00:00\""},
      {1083, -1, "12:34:56.789", ValueKind::time, "time without time zone", "\"12:34:56.789\""},
      {1266, -1, "12:34:56.5+05", ValueKind::string, "time with time zone", "\"12:34:56.5+05:00\""},
      {1114, -1, "2024-02-29 12:34:56.000001", ValueKind::datetime, "timestamp without time zone",
       "\"2024-02-29T12:34:56.000001\""},
      {1114, 0, "0044-03-15 12:00:00 BC", ValueKind::datetime, "timestamp(0) without time zone",
       "\"-0043-03-15T12:00:00\""},
      {1184, 6, "2024-02-29 12:34:56.5+05:30", ValueKind::timestamp, "timestamp(6) with time zone",
       "\"2024-02-29T07:04:56.5Z\""},
      {1184, -1, "1970-01-01 00:00:00-14", ValueKind::timestamp, "timestamp with time zone",
       "\"1970-01-01T14:00:00Z\""},
      {1186, -1, "1 year -2 mons +3 days 04:05:06", ValueKind::string, "interval",
       "\"P10M3DT4H5M6S\""},
      {1186, (2 | 4) << 16 | 0xFFFF, "1 year", ValueKind::string, "interval year to month",
       "\"P1Y\""},
      {1186, (8 | 1024 | 2048 | 4096) << 16 | 3, "00:00:00.001", ValueKind::string,
       "interval day to second(3)", "\"PT0.001S\""},
      {114, -1, "{\"a\" : [1,2]}", ValueKind::json, "json", "{\"a\" : [1,2]}"},
      {3802, -1, "{\"a\": [1, 2]}", ValueKind::json, "jsonb", "{\"a\": [1, 2]}"},
      {142, -1, "<a>x</a>", ValueKind::string, "xml", "\"<a>x</a>\""},
      {1007, -1, "{{1,NULL},{3,4}}", ValueKind::json, "integer[]", "[[1,null],[3,4]]"},
      // bytea elements as to_json prints them (hex), also from the escape format, whose raw
      // bytes (here 0xFF) are not UTF-8.
      {1001, -1, "{\"\\\\x00ff\",\"\\\xffY\",NULL}", ValueKind::json, "bytea[]",
       "[\"\\\\x00ff\",\"\\\\xff59\",null]"},
      {1015, 14, "{}", ValueKind::json, "character varying(10)[]", "[]"},
      {3904, -1, "[1,5)", ValueKind::string, "int4range", "\"[1,5)\""},
      {4536, -1, "{[1,3), [5,7)}", ValueKind::string, "int8multirange", "error"},
      {4536, -1, "{[1,3),[5,7)}", ValueKind::string, "int8multirange", "\"{[1,3),[5,7)}\""},
      {3910, -1, "[\"2024-01-01 00:00:00+00\",infinity)", ValueKind::string, "tstzrange",
       "\"[\\\"2024-01-01 00:00:00+00\\\",infinity)\""},
      {869, -1, "::1/64", ValueKind::string, "inet", "\"::1/64\""},
      {650, -1, "10.0.0.0/8", ValueKind::string, "cidr", "\"10.0.0.0/8\""},
      {829, -1, "08:00:2b:01:02:03", ValueKind::string, "macaddr", "\"08:00:2b:01:02:03\""},
      {774, -1, "08:00:2b:01:02:03:04:05", ValueKind::string, "macaddr8",
       "\"08:00:2b:01:02:03:04:05\""},
      {790, -1, "-$1,234.56", ValueKind::decimal, "money", "\"-1234.56\""},
      {1560, 1, "1", ValueKind::bit, "bit(1)", "true"},
      {1560, 10, "1000000001", ValueKind::bit, "bit(10)", "\"AQI=\""},
      {1560, 65, bits65.c_str(), ValueKind::string, "bit(65)", nullptr},
      {1562, 5, "101", ValueKind::string, "bit varying(5)", "\"101\""},
      {600, -1, "(1,2)", ValueKind::geometry, "point",
       "{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":0}"},
      {718, -1, "<(0,0),1>", ValueKind::string, "circle", "\"<(0,0),1>\""},
      {3220, -1, "16/B374D848", ValueKind::string, "pg_lsn", "\"16/B374D848\""},
      {3614, -1, "'a' 'b'", ValueKind::string, "tsvector", "\"'a' 'b'\""},
  };
  for (const Case& c : cases) {
    INFO(c.source_type, " ", c.text);
    Converted got = convert(r, c.oid, c.typmod, c.text, arena);
    CHECK(got.column.kind == c.kind);
    CHECK(got.column.source_type == c.source_type);
    if (c.rendered == nullptr) continue;
    if (std::string(c.rendered) == "error") {
      CHECK(!got.error.empty());
    } else {
      CHECK(got.error == "");
      CHECK(got.rendered == c.rendered);
    }
  }
}

TEST_CASE("column metadata from the modifier") {
  const PgTypeRegistry r;
  auto numeric = pg_column(r, "n", 1700, (12 << 16 | 4) + 4);
  CHECK(numeric->precision == 12);
  CHECK(numeric->scale == 4);
  // PostgreSQL 15 allows a negative scale: numeric(3,-2) holds multiples of 100.
  auto negative = pg_column(r, "n", 1700, (3 << 16 | (-2 & 0x7FF)) + 4);
  CHECK(negative->source_type == "numeric(3,-2)");
  CHECK(negative->precision == 3);
  CHECK(pg_column(r, "v", 1043, 24)->length == 20);
  CHECK(pg_column(r, "b", 1560, 10)->length == 10);
  CHECK(pg_column(r, "t", 1184, 3)->fsp == 3);
  CHECK(pg_column(r, "t", 1184, -1)->fsp == 6);
  auto unknown = pg_column(r, "x", 99999, -1);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "column x: type oid 99999 is not known (not read from pg_type)");
}

TEST_CASE("user types: enums, domains, composites, arrays of them, ranges") {
  const PgTypeRegistry r = user_types();
  Arena arena;
  auto mood = convert(r, kMood, -1, "happy, \"very\"", arena);
  CHECK(mood.column.kind == ValueKind::enum_label);
  CHECK(mood.column.labels.size() == 3);
  CHECK(mood.value.u == 3);
  CHECK(mood.rendered == "\"happy, \\\"very\\\"\"");
  auto unknown_label = convert(r, kMood, -1, "angry", arena);
  CHECK(unknown_label.error ==
        "column c (mood): label 'angry' is not one of the 3 labels read from pg_enum");
  auto moods = convert(r, kMoodArray, -1, "{sad,\"happy, \\\"very\\\"\",NULL}", arena);
  CHECK(moods.column.source_type == "mood[]");
  CHECK(moods.rendered == "[\"sad\",\"happy, \\\"very\\\"\",null]");

  auto positive = convert(r, kPositive, -1, "12.50", arena);
  CHECK(positive.column.kind == ValueKind::decimal);
  CHECK(positive.column.source_type == "positive");
  CHECK(positive.column.precision == 10);
  CHECK(positive.column.scale == 2);
  CHECK(positive.rendered == "\"12.50\"");

  auto code = convert(r, kOwnSchema, -1, "x", arena);
  CHECK(code.column.source_type == "\"Sales\".\"Code\"");
  CHECK(code.column.length == 8);

  auto pair = convert(r, kPair, -1, "(1,\"a \"\"b\"\"\",sad)", arena);
  CHECK(pair.column.kind == ValueKind::json);
  CHECK(pair.rendered == "{\"n\":1,\"t\":\"a \\\"b\\\"\",\"m\":\"sad\"}");
  CHECK(convert(r, kPair, -1, "(,\"\",)", arena).rendered == "{\"n\":null,\"t\":\"\",\"m\":null}");
  CHECK(convert(r, kPair, -1, "(1,a)", arena).error ==
        "column c (pair): record of 2 fields, not the 3 of pair");
  CHECK(convert(r, kPair, -1, "(1,a,sad,x)", arena).error ==
        "column c (pair): record of more than the 3 fields of pair");
  CHECK(convert(r, kPair, -1, "(x,a,sad)", arena).error ==
        "column c (pair): not an integer in [-2147483648, 2147483647]: 'x'");

  auto nested = convert(
      r, kNested, -1,
      "(\"(1,x,ok)\",\"{\"\"(2,y,sad)\"\",NULL}\",\"{1,2}\",\"2024-01-01 00:00:00+00\")", arena);
  CHECK(nested.error == "");
  CHECK(nested.rendered ==
        "{\"p\":{\"n\":1,\"t\":\"x\",\"m\":\"ok\"},\"ps\":[{\"n\":2,\"t\":\"y\",\"m\":\"sad\"},"
        "null],\"a\":[1,2],\"ts\":\"2024-01-01T00:00:00+00:00\"}");

  CHECK(convert(r, kFloatRange, -1, "[1.5,Infinity]", arena).rendered == "\"[1.5,Infinity]\"");
  CHECK(convert(r, kFloatRange, -1, "[1.5,x]", arena).error ==
        "column c (floatrange): not a double precision: 'x'");
  CHECK(convert(r, kFloatMultirange, -1, "{[1,2),(3,4]}", arena).rendered == "\"{[1,2),(3,4]}\"");
  CHECK(!convert(r, kFloatMultirange, -1, "{[1,2),(3,z]}", arena).error.empty());
}

TEST_CASE("numeric and temporal specials follow the options") {
  PgTypeRegistry r;
  Arena arena;
  CHECK(convert(r, 1700, -1, "NaN", arena).error ==
        "column c (numeric): numeric NaN cannot be a decimal (decimal.handling.mode: string or "
        "double keeps it)");
  CHECK(convert(r, 1082, -1, "infinity", arena).error ==
        "column c (date): 'infinity' has no date or time value in sluice "
        "(temporal.infinity.handling: null makes it NULL)");
  CHECK(!convert(r, 1114, -1, "-infinity", arena).error.empty());
  CHECK(!convert(r, 1184, -1, "infinity", arena).error.empty());

  r.set_options(
      {.decimal_handling = DecimalHandling::string, .temporal_infinity = TemporalInfinity::null});
  auto s = convert(r, 1700, -1, "-Infinity", arena);
  CHECK(s.column.kind == ValueKind::string);
  CHECK(s.rendered == "\"-Infinity\"");
  CHECK(convert(r, 1700, -1, "1.10", arena).rendered == "\"1.10\"");
  CHECK(convert(r, 1082, -1, "infinity", arena).value.is_null());
  CHECK(convert(r, 1184, -1, "-infinity", arena).value.is_null());

  r.set_options({.decimal_handling = DecimalHandling::double_});
  auto d = convert(r, 1700, -1, "0.1", arena);
  CHECK(d.column.kind == ValueKind::float64);
  CHECK(d.value.d == 0.1);
  CHECK(std::isnan(convert(r, 1700, -1, "NaN", arena).value.d));
  CHECK(convert(r, 1700, -1, "-Infinity", arena).value.d == -HUGE_VAL);
  CHECK(!convert(r, 1700, -1, "1" + std::string(400, '0'), arena).error.empty());
}

TEST_CASE("malformed text names the column and its type") {
  const PgTypeRegistry r;
  Arena arena;
  CHECK(convert(r, 23, -1, "1.5", arena).error ==
        "column c (integer): not an integer in [-2147483648, 2147483647]: '1.5'");
  CHECK(convert(r, 1007, -1, "{1,2", arena).error ==
        "column c (integer[]): expected the delimiter or '}' in array at offset 4: '{1,2'");
  CHECK(convert(r, 3802, -1, "{\"a\":}", arena).error == "column c (jsonb): not valid JSON");
  CHECK(convert(r, 25, -1, "\xc3", arena).error ==
        "column c (text): not UTF-8 at byte 0 (the session's client_encoding must be UTF8)");
  CHECK(convert(r, 1560, 3, "10", arena).error == "column c (bit(3)): bit string of 2 bits, not 3");
  CHECK(convert(r, 1184, -1, "294276-12-31 23:59:59.999999+00", arena).error ==
        "column c (timestamp with time zone): timestamp beyond the range of microseconds since "
        "1970 in 64 bits");
}

TEST_CASE("catalog rows and unknown oids") {
  PgTypeRegistry r;
  const uint32_t wanted[] = {23, 90001};
  CHECK(r.unknown_oids(wanted) == std::vector<uint32_t>{90001});
  // A composite whose field is an enum not read yet: both are asked for.
  REQUIRE(r.add_from_row({"90001", "public", "pair", "c", "C", "0", "0", "-1", ",", "0",
                          std::nullopt, "{n,\"odd name\",m}", "{23,25,90002}"}));
  CHECK(r.unknown_oids(wanted) == std::vector<uint32_t>{90002});
  REQUIRE(r.add_from_row({"90002", "public", "mood", "e", "E", "0", "0", "-1", ",", "0",
                          "{sad,\"very happy\"}", std::nullopt, std::nullopt}));
  CHECK(r.unknown_oids(wanted).empty());
  const PgTypeInfo* pair = r.find(90001);
  REQUIRE(pair != nullptr);
  CHECK(pair->fields[1] == std::pair<std::string, uint32_t>{"odd name", 25});
  CHECK(r.find(90002)->enum_labels == std::vector<std::string>{"sad", "very happy"});
  REQUIRE(r.add_from_row({"90003", "s", "dom", "d", "N", "0", "1700", "655366", ",", "0",
                          std::nullopt, std::nullopt, std::nullopt}));
  CHECK(r.find(90003)->base_typmod == 655366);

  CHECK(r.add_from_row({"1", "s"}).error().message == "type catalog row of 2 columns, not 13");
  CHECK(r.add_from_row({"x", "s", "t", "b", "U", "0", "0", "-1", ",", "0", std::nullopt,
                        std::nullopt, std::nullopt})
            .error()
            .message == "oid: not an integer in [0, 4294967295]: 'x'");
  CHECK(r.add_from_row({"5", "s", "t", "bb", "U", "0", "0", "-1", ",", "0", std::nullopt,
                        std::nullopt, std::nullopt})
            .error()
            .message == "type t: typtype is not one character");
  CHECK(r.add_from_row(
             {"5", "s", "t", "c", "C", "0", "0", "-1", ",", "0", std::nullopt, "{a,b}", "{23}"})
            .error()
            .message == "type t: attribute names and types differ in count");
  CHECK(std::string(PgTypeRegistry::catalog_query()).find("$1::pg_catalog.oid[]") !=
        std::string::npos);
}

TEST_CASE("pg_text_value_fast gives pg_text_value's value, or leaves the text to it") {
  PgTypeRegistry r = user_types();
  Arena arena;
  struct Case {
    uint32_t oid;
    std::string_view text;
    bool fast;  // whether the fast path takes it
  };
  const Case cases[] = {
      {oid::kBool, "t", true},
      {oid::kBool, "f", true},
      {oid::kBool, "true", false},
      {oid::kInt2, "-32768", true},
      {oid::kInt2, "32768", false},
      {oid::kInt4, "2147483647", true},
      {oid::kInt4, "-2147483649", false},
      {oid::kInt4, "+1", false},
      {oid::kInt4, "-", false},
      {oid::kInt4, "", false},
      {oid::kInt4, "007", true},
      {oid::kInt4, "-0", true},
      {oid::kInt8, "999999999999999999", true},
      {oid::kInt8, "9223372036854775807", false},  // 19 digits: parse_pg_int's
      {oid::kInt8, "-9223372036854775808", false},
      {oid::kInt8, "1 ", false},
      {oid::kOid, "4294967295", true},
      {oid::kOid, "-1", false},
      {oid::kFloat8, "1.5e+300", true},
      {oid::kFloat8, "-0", true},
      {oid::kFloat8, "NaN", false},
      {oid::kFloat8, "-Infinity", false},
      {oid::kFloat8, "inf", false},
      {oid::kFloat8, "nan", false},
      {oid::kFloat8, "1e999", false},
      {oid::kFloat8, "0x1p3", false},
      {oid::kFloat4, "3.4028235e+38", true},
      {oid::kFloat4, "3.5e+38", false},
      {oid::kNumeric, "-12.340", true},
      {oid::kNumeric, "NaN", false},
      {oid::kNumeric, "1.", false},
      {oid::kDate, "2024-02-29", true},
      {oid::kDate, "0001-01-01 BC", true},
      {oid::kDate, "infinity", false},
      {oid::kDate, "2023-02-29", false},
      {oid::kTimestamptz, "2024-01-01 12:34:56.789+05:30", true},
      {oid::kTimestamptz, "-infinity", false},
      {oid::kJsonb, "{\"k\": [1, 2.5, null]}", true},
      {oid::kJsonb, "{\"k\": ", false},
      {oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", true},
      {oid::kUuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", true},
      {oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", false},
      {oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a-1", false},
      {oid::kText, "héllo", true},
      {oid::kText, "\xff", false},
      {oid::kVarchar, "", true},
      {oid::kInterval, "1 day", false},  // not a fast type
      {kMood, "ok", false},
      {kPositive, "1.25", true},  // a domain, resolved to numeric
  };
  for (const auto& c : cases) {
    CAPTURE(c.oid);
    CAPTURE(c.text);
    auto type = resolve_pg_type(r, c.oid, -1);
    REQUIRE(type);
    Value fast;
    CHECK(pg_text_value_fast(r, *type, c.text, arena, fast) == c.fast);
    if (!c.fast) continue;
    const Converted slow = convert(r, c.oid, -1, c.text, arena);
    REQUIRE(slow.error.empty());
    CHECK(fast == slow.value);
  }
  // numeric in the string and double modes is left to pg_text_value.
  r.set_options({.decimal_handling = DecimalHandling::string});
  auto numeric = resolve_pg_type(r, oid::kNumeric, -1);
  REQUIRE(numeric);
  Value v;
  CHECK_FALSE(pg_text_value_fast(r, *numeric, "1.5", arena, v));
}
