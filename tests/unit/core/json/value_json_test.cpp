#include "cdc/core/json/value_json.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

using namespace cdc;
using namespace cdc::json;

namespace {
std::string typed(const Value& v) {
  std::string out;
  JsonWriter w(out);
  write_value(w, v);
  return out;
}
std::string text(const Value& v) {
  std::string out;
  JsonWriter w(out);
  write_value_as_text(w, v);
  return out;
}
int64_t micros_of(std::chrono::sys_days day, std::chrono::microseconds tod) {
  return (std::chrono::sys_time<std::chrono::microseconds>(day) + tod).time_since_epoch().count();
}
}  // namespace

TEST_CASE("write_value: scalars") {
  CHECK(typed(Value::null_value()) == "null");
  CHECK(typed(Value::boolean(true)) == "true");
  CHECK(typed(Value::int64(std::numeric_limits<int64_t>::min())) == "-9223372036854775808");
  CHECK(typed(Value::uint64(std::numeric_limits<uint64_t>::max())) == "18446744073709551615");
  CHECK(typed(Value::float32(3.14f)) == "3.14");
  CHECK(typed(Value::float64(3.14)) == "3.14");
  CHECK(typed(Value::float64(std::nan(""))) == "null");
  CHECK(typed(Value::decimal("-123.4500", 4)) == "\"-123.4500\"");
  CHECK(typed(Value::bytes(std::string_view("\x00\x01\xFF", 3))) == "\"AAH/\"");
  CHECK(typed(Value::json("{\"a\":[1]}")) == "{\"a\":[1]}");
  CHECK(typed(Value::json("nope")) == "\"nope\"");
  CHECK(typed(Value::enum_label("large", 2)) == "\"large\"");
  CHECK(typed(Value::set_labels("a,c", 5)) == "\"a,c\"");
  CHECK(typed(Value::year_value(2024)) == "2024");
}

TEST_CASE("write_value: geometry as Debezium's Geometry {wkb, srid}; Canal text is the WKB") {
  const std::string_view point(
      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xF0\x3F"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      21);  // POINT(1 2)
  CHECK(typed(Value::geometry(point, 4326)) ==
        "{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":4326}");
  CHECK(typed(Value::geometry(point, 0)) ==
        "{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":0}");
  CHECK(text(Value::geometry(point, 4326)) == "\"AQEAAAAAAAAAAADwPwAAAAAAAABA\"");
}

TEST_CASE("write_value: geometry.format wkt renders {wkt, srid}; Canal text is the WKT") {
  CHECK(typed(Value::geometry_wkt("POINT(1 2)", 4326)) == "{\"wkt\":\"POINT(1 2)\",\"srid\":4326}");
  CHECK(typed(Value::geometry_wkt("GEOMETRYCOLLECTION EMPTY", 0)) ==
        "{\"wkt\":\"GEOMETRYCOLLECTION EMPTY\",\"srid\":0}");
  CHECK(text(Value::geometry_wkt("POINT(1 2)", 4326)) == "\"POINT(1 2)\"");
  // The text's format is part of the value: WKT and WKB of the same bytes differ.
  CHECK_FALSE(Value::geometry_wkt("POINT(1 2)", 0) == Value::geometry("POINT(1 2)", 0));
}

TEST_CASE("write_value: bits as Debezium (BIT(1) boolean, BIT(n) little-endian bytes)") {
  CHECK(typed(Value::bit(1, 1)) == "true");
  CHECK(typed(Value::bit(0, 1)) == "false");
  CHECK(typed(Value::bit(~uint64_t{0}, 64)) == "\"//////////8=\"");
  CHECK(typed(Value::bit(0x201, 10)) == "\"AQI=\"");  // bytes 01 02
  CHECK(typed(Value::bit(5, 8)) == "\"BQ==\"");
  CHECK(text(Value::bit(0x201, 10)) == "\"513\"");
  CHECK(text(Value::bit(1, 1)) == "\"1\"");
}

TEST_CASE("dates: zero and partially zero parts render literally") {
  CHECK(typed(Value::date(2024, 1, 2)) == "\"2024-01-02\"");
  CHECK(typed(Value::date(0, 0, 0)) == "\"0000-00-00\"");
  CHECK(typed(Value::date(2020, 0, 15)) == "\"2020-00-15\"");
  CHECK(typed(Value::date(-44, 3, 15)) == "\"-0044-03-15\"");
  CHECK(typed(Value::date(12, 1, 1)) == "\"0012-01-01\"");
}

TEST_CASE("time: negative, beyond 24h, fsp digits") {
  CHECK(typed(Value::time_micros(-((838LL * 3600 + 59 * 60 + 59) * 1000000), 6)) ==
        "\"-838:59:59.000000\"");
  CHECK(typed(Value::time_micros(25LL * 3600 * 1000000, 0)) == "\"25:00:00\"");
  CHECK(typed(Value::time_micros(-1500000, 1)) == "\"-00:00:01.5\"");
  CHECK(typed(Value::time_micros(-1500000, 3)) == "\"-00:00:01.500\"");
  CHECK(typed(Value::time_micros(0, 0)) == "\"00:00:00\"");
  CHECK(typed(Value::time_micros(1234567, 2)) == "\"00:00:01.23\"");  // truncated, not rounded
  CHECK(typed(Value::time_micros(std::numeric_limits<int64_t>::min(), 6)) ==
        "\"-2562047788:00:54.775808\"");
}

TEST_CASE("datetime and timestamp: every fsp") {
  const char* dt[] = {"2024-01-02T03:04:05",       "2024-01-02T03:04:05.1",
                      "2024-01-02T03:04:05.12",    "2024-01-02T03:04:05.123",
                      "2024-01-02T03:04:05.1234",  "2024-01-02T03:04:05.12345",
                      "2024-01-02T03:04:05.123456"};
  using namespace std::chrono;
  const int64_t ts = micros_of(sys_days(year(2024) / 1 / 2),
                               hours(3) + minutes(4) + seconds(5) + microseconds(123456));
  for (uint8_t fsp = 0; fsp <= 6; ++fsp) {
    CAPTURE(fsp);
    CHECK(typed(Value::datetime(2024, 1, 2, 3, 4, 5, 123456, fsp)) ==
          "\"" + std::string(dt[fsp]) + "\"");
    CHECK(typed(Value::timestamp_micros(ts, fsp)) == "\"" + std::string(dt[fsp]) + "Z\"");
  }
  CHECK(typed(Value::timestamp_micros(
            micros_of(sys_days(year(2024) / 1 / 2),
                      hours(3) + minutes(4) + seconds(5) + milliseconds(120)),
            3)) == "\"2024-01-02T03:04:05.120Z\"");
  CHECK(typed(Value::timestamp_micros(-10000, 2)) == "\"1969-12-31T23:59:59.99Z\"");
  CHECK(typed(Value::timestamp_micros(0, 0)) == "\"1970-01-01T00:00:00Z\"");
  CHECK(typed(Value::timestamp_micros(micros_of(sys_days(year(2000) / 2 / 29), hours(23)), 0)) ==
        "\"2000-02-29T23:00:00Z\"");
  CHECK(typed(Value::timestamp_micros(
            micros_of(sys_days(year(9999) / 12 / 31), hours(23) + minutes(59) + seconds(59)), 0)) ==
        "\"9999-12-31T23:59:59Z\"");
  CHECK(typed(Value::datetime(0, 0, 0, 0, 0, 0, 0, 0)) == "\"0000-00-00T00:00:00\"");
  CHECK(text(Value::datetime(2024, 1, 2, 3, 4, 5, 123456, 3)) == "\"2024-01-02 03:04:05.123\"");
  CHECK(text(Value::timestamp_micros(ts, 1)) == "\"2024-01-02 03:04:05.1\"");
}

TEST_CASE("write_value_as_text: Canal strings") {
  CHECK(text(Value::null_value()) == "null");
  CHECK(text(Value::int64(-5)) == "\"-5\"");
  CHECK(text(Value::uint64(std::numeric_limits<uint64_t>::max())) == "\"18446744073709551615\"");
  CHECK(text(Value::boolean(false)) == "\"false\"");
  CHECK(text(Value::float64(std::nan(""))) == "\"NaN\"");
  CHECK(text(Value::float64(-std::numeric_limits<double>::infinity())) == "\"-Infinity\"");
  CHECK(text(Value::float32(0.1f)) == "\"0.1\"");
  CHECK(text(Value::json("{\"a\":1}")) == "\"{\\\"a\\\":1}\"");
  CHECK(text(Value::year_value(0)) == "\"0000\"");
  CHECK(text(Value::year_value(2024)) == "\"2024\"");
  CHECK(text(Value::date(2020, 0, 15)) == "\"2020-00-15\"");
  CHECK(text(Value::time_micros(-1500000, 1)) == "\"-00:00:01.5\"");
}
