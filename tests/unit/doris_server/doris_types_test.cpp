#include "tests/fakes/doris/doris_types.h"

#include <doctest/doctest.h>

using namespace cdc::testing::doris;

namespace {
std::string ok(std::string_view type, std::string_view value) {
  const auto t = parse_type(type);
  REQUIRE(t);
  const Checked c = check_value(*t, value);
  REQUIRE_MESSAGE(c.value, c.reason);
  return *c.value;
}
bool refused(std::string_view type, std::string_view value) {
  const auto t = parse_type(type);
  REQUIRE(t);
  return !check_value(*t, value).value;
}
}  // namespace

TEST_CASE("doris types: integers are checked against their range") {
  CHECK(ok("TINYINT", "-128") == "-128");
  CHECK(refused("TINYINT", "128"));
  CHECK(ok("INT", "2147483647") == "2147483647");
  CHECK(refused("INT", "2147483648"));
  CHECK(ok("BIGINT", "-9223372036854775808") == "-9223372036854775808");
  CHECK(refused("BIGINT", "9223372036854775808"));
  CHECK(ok("LARGEINT", "18446744073709551615") == "18446744073709551615");
  CHECK(refused("INT", "1.5"));
  CHECK(refused("INT", "abc"));
}

TEST_CASE("doris types: decimals keep their scale and refuse what does not fit") {
  CHECK(ok("DECIMAL(10,2)", "1.5") == "1.50");
  CHECK(ok("DECIMAL(10,2)", "-0.01") == "-0.01");
  CHECK(ok("decimal(10, 2)", "12345678.99") == "12345678.99");
  CHECK(refused("DECIMAL(10,2)", "123456789.00"));  // 9 integer digits > 10 - 2
  CHECK(refused("DECIMAL(10,2)", "1.234"));
  CHECK(ok("DECIMAL(5,0)", "00042") == "42");
}

TEST_CASE("doris types: strings count bytes, dates and datetimes are checked") {
  CHECK(ok("VARCHAR(3)", "abc") == "abc");
  CHECK(refused("VARCHAR(3)", "abcd"));
  CHECK(refused("VARCHAR(3)", "\xc3\xa9\xc3\xa9"));  // 2 characters, 4 bytes
  CHECK(ok("DATE", "2024-02-29") == "2024-02-29");
  CHECK(refused("DATE", "2024-13-01"));
  CHECK(ok("DATETIME", "2024-01-02 03:04:05") == "2024-01-02 03:04:05");
  CHECK(ok("DATETIME(6)", "2024-01-02 03:04:05.5") == "2024-01-02 03:04:05.500000");
  CHECK(refused("DATETIME", "2024-01-02 03:04:05.5"));
  CHECK(ok("JSON", "{\"a\":1}") == "{\"a\":1}");
  CHECK(refused("JSON", "{a"));
  CHECK_FALSE(parse_type("VARCHAR(70000)"));
  CHECK_FALSE(parse_type("DECIMAL(39,2)"));
  CHECK_FALSE(parse_type("GEOMETRY"));
  CHECK(parse_type("datetime(3)")->to_sql() == "datetime(3)");
}
