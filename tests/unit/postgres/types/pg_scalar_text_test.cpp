#include "cdc/postgres/types/pg_scalar_text.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "cdc/postgres/types/pg_builtin_types.h"

using namespace cdc;
using namespace cdc::postgres;

TEST_CASE("bool and integers: exact text only") {
  CHECK(*parse_pg_bool("t"));
  CHECK_FALSE(*parse_pg_bool("f"));
  for (const char* bad : {"true", "T", "", "1", "t "}) CHECK_FALSE(parse_pg_bool(bad));
  CHECK(*parse_pg_int("-32768", INT16_MIN, INT16_MAX) == -32768);
  CHECK(*parse_pg_int("9223372036854775807", INT64_MIN, INT64_MAX) == INT64_MAX);
  CHECK(*parse_pg_int("-9223372036854775808", INT64_MIN, INT64_MAX) == INT64_MIN);
  CHECK_FALSE(parse_pg_int("32768", INT16_MIN, INT16_MAX));
  CHECK_FALSE(parse_pg_int("9223372036854775808", INT64_MIN, INT64_MAX));
  for (const char* bad : {"", "+1", "1.0", " 1", "1 ", "0x10", "-"}) {
    CHECK_FALSE(parse_pg_int(bad, INT64_MIN, INT64_MAX));
  }
  auto e = parse_pg_int("12a", 0, 100);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::malformed);
  CHECK(e.error().message == "not an integer in [0, 100]: '12a'");
}

TEST_CASE("floats: shortest-exact text, PostgreSQL's special spellings only") {
  CHECK(*parse_pg_float8("1.7976931348623157e+308") == 1.7976931348623157e308);
  CHECK(*parse_pg_float8("5e-324") == 5e-324);
  CHECK(*parse_pg_float8("-0") == 0.0);
  CHECK(std::signbit(*parse_pg_float8("-0")));
  CHECK(*parse_pg_float8("0.1") == 0.1);
  CHECK(std::isnan(*parse_pg_float8("NaN")));
  CHECK(*parse_pg_float8("Infinity") == HUGE_VAL);
  CHECK(*parse_pg_float8("-Infinity") == -HUGE_VAL);
  CHECK(*parse_pg_float4("3.4028235e+38") == 3.4028235e38f);
  CHECK(*parse_pg_float4("1e-45") == 1e-45f);
  CHECK(*parse_pg_float4("0.1") == 0.1f);
  for (const char* bad : {"inf", "nan", "infinity", "", "1.0.0", "1e", "0x1p3", " 1"}) {
    CHECK_FALSE(parse_pg_float8(bad));
  }
}

TEST_CASE("numeric: digits and scale, the special values apart") {
  auto n = parse_pg_numeric("-123.4500");
  REQUIRE(n);
  CHECK(n->special == PgNumeric::Special::none);
  CHECK(n->scale == 4);
  CHECK(parse_pg_numeric("0")->scale == 0);
  std::string thousand(1000, '9');
  CHECK(parse_pg_numeric(thousand + "." + thousand)->scale == 1000);
  CHECK(parse_pg_numeric("NaN")->special == PgNumeric::Special::nan);
  CHECK(parse_pg_numeric("Infinity")->special == PgNumeric::Special::infinity);
  CHECK(parse_pg_numeric("-Infinity")->special == PgNumeric::Special::minus_infinity);
  for (const char* bad : {"", "-", ".5", "1.", "1e5", "+1", "1,5", "nan", "1.2.3", "- 1"}) {
    CHECK_FALSE(parse_pg_numeric(bad));
  }
}

TEST_CASE("money as lc_monetary=C prints it") {
  auto money = [](std::string_view text) {
    std::string digits;
    uint32_t scale = 99;
    auto s = parse_pg_money(text, digits, scale);
    return s ? digits + "/" + std::to_string(scale) : "error";
  };
  CHECK(money("$0.00") == "0.00/2");
  CHECK(money("$1,234.56") == "1234.56/2");
  CHECK(money("-$92,233,720,368,547,758.08") == "-92233720368547758.08/2");
  CHECK(money("$92,233,720,368,547,758.07") == "92233720368547758.07/2");
  for (const char* bad : {"1.00", "$", "$,1.00", "$1,.00", "$1.", "1,00 €", "$1.00 ", "--$1"}) {
    CHECK(money(bad) == "error");
  }
}

TEST_CASE("bytea: hex and escape format") {
  std::string b;
  REQUIRE(parse_pg_bytea("\\x00ff7F", b));
  CHECK(b == std::string("\x00\xff\x7f", 3));
  b.clear();
  REQUIRE(parse_pg_bytea("\\x", b));
  CHECK(b.empty());
  REQUIRE(parse_pg_bytea("a\\\\b\\000\\377", b));
  CHECK(b == std::string("a\\b\x00\xff", 5));
  for (const char* bad : {"\\x0", "\\x0g", "\\", "\\400", "\\12", "a\\b"}) {
    std::string out;
    CHECK_FALSE(parse_pg_bytea(bad, out));
  }
}

TEST_CASE("uuid, inet, cidr, macaddr, bit strings") {
  CHECK(check_pg_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  CHECK_FALSE(check_pg_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"));
  CHECK_FALSE(check_pg_uuid("a0eebc999c0b-4ef8-bb6d-6bb9bd380a11-"));
  CHECK_FALSE(check_pg_uuid("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  CHECK(check_pg_inet("192.168.0.1", false));
  CHECK(check_pg_inet("192.168.0.1/24", false));
  CHECK(check_pg_inet("::ffff:1.2.3.4/128", false));
  CHECK(check_pg_inet("2001:db8::/32", true));
  CHECK_FALSE(check_pg_inet("10.0.0.0", true));  // cidr_out always prints the length
  CHECK_FALSE(check_pg_inet("256.0.0.1", false));
  CHECK_FALSE(check_pg_inet("1.2.3.4/33", false));
  CHECK_FALSE(check_pg_inet("::1/129", false));
  CHECK_FALSE(check_pg_inet("1.2.3.4/", false));
  CHECK_FALSE(check_pg_inet(std::string_view("::\0\x85", 4), false));  // a fuzz finding
  CHECK(check_pg_macaddr("08:00:2b:01:02:03", 6));
  CHECK(check_pg_macaddr("08:00:2b:01:02:03:04:05", 8));
  CHECK_FALSE(check_pg_macaddr("08:00:2b:01:02:03", 8));
  CHECK_FALSE(check_pg_macaddr("08-00-2b-01-02-03", 6));
  CHECK(check_pg_bits(""));
  CHECK(check_pg_bits("0101"));
  CHECK_FALSE(check_pg_bits("012"));
}

TEST_CASE("geometric types: each spelling of geo_ops.c's output") {
  using namespace cdc::postgres::oid;
  CHECK(check_pg_geometric(kPoint, "(1.5,-2)"));
  CHECK(check_pg_geometric(kPoint, "(NaN,Infinity)"));
  CHECK(check_pg_geometric(kLine, "{1,-1,0}"));
  CHECK(check_pg_geometric(kLseg, "[(0,0),(1,1)]"));
  CHECK(check_pg_geometric(kBox, "(1,1),(0,0)"));
  CHECK(check_pg_geometric(kPath, "((0,0),(1,1),(2,0))"));
  CHECK(check_pg_geometric(kPath, "[(0,0),(1,1)]"));
  CHECK(check_pg_geometric(kPolygon, "((0,0),(1,1),(2,0))"));
  CHECK(check_pg_geometric(kCircle, "<(0,0),2.5>"));
  CHECK_FALSE(check_pg_geometric(kPoint, "(1,2"));
  CHECK_FALSE(check_pg_geometric(kPoint, "(1,2),"));
  CHECK_FALSE(check_pg_geometric(kBox, "(1,1)"));
  CHECK_FALSE(check_pg_geometric(kCircle, "<(0,0)>"));
  CHECK_FALSE(check_pg_geometric(kPath, "[(0,0),(1,1))"));
  CHECK_FALSE(check_pg_geometric(kLine, "{1,2}"));
  auto p = parse_pg_point("(1.5,-2)");
  REQUIRE(p);
  CHECK(p->first == 1.5);
  CHECK(p->second == -2);
}

TEST_CASE("UTF-8 is checked") {
  CHECK(check_utf8("h\xc3\xa9"));
  auto e = check_utf8("ab\xff");
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "not UTF-8 at byte 2 (the session's client_encoding must be UTF8)");
}
