// append_value_text: the text each kind of value gets in a hash field, key or projected value.
#include "sinks/redis/value_text.h"

#include <doctest/doctest.h>

#include <limits>

using namespace cdc;
using namespace cdc::sinks::redis;

namespace {
std::string text(const Value& v) {
  std::string s;
  append_value_text(v, s);
  return s;
}
}  // namespace

TEST_CASE("value text of every kind") {
  CHECK(text(Value()) == "");
  CHECK(text(Value::boolean(true)) == "true");
  CHECK(text(Value::int64(-42)) == "-42");
  CHECK(text(Value::uint64(18446744073709551615ull)) == "18446744073709551615");
  CHECK(text(Value::float64(0.1)) == "0.1");
  CHECK(text(Value::float32(0.1f)) == "0.1");
  CHECK(text(Value::float64(std::numeric_limits<double>::quiet_NaN())) == "NaN");
  CHECK(text(Value::float64(-std::numeric_limits<double>::infinity())) == "-Infinity");
  CHECK(text(Value::decimal("-12.3400", 4)) == "-12.3400");
  CHECK(text(Value::string("héllo")) == "héllo");
  CHECK(text(Value::bytes(std::string_view("\0\xff", 2))) == std::string("\0\xff", 2));
  CHECK(text(Value::json(R"({"a":1})")) == R"({"a":1})");
  CHECK(text(Value::date(2024, 1, 2)) == "2024-01-02");
  CHECK(text(Value::time_micros(-(838LL * 3600 + 59 * 60 + 59) * 1000000, 0)) == "-838:59:59");
  CHECK(text(Value::datetime(2024, 1, 2, 3, 4, 5, 120000, 3)) == "2024-01-02 03:04:05.120");
  CHECK(text(Value::timestamp_micros(1704164645120000, 3)) == "2024-01-02T03:04:05.120Z");
  CHECK(text(Value::bit(5, 3)) == "5");
  CHECK(text(Value::enum_label("large", 2)) == "large");
  CHECK(text(Value::set_labels("a,c", 5)) == "a,c");
  CHECK(text(Value::year_value(2024)) == "2024");
}
