#include "cdc/expr/decimal.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/expr/value_ops.h"

using namespace cdc::expr;

namespace {
std::string text(const Decimal& d) {
  char buf[Decimal::kMaxTextLength];
  return std::string(buf, d.to_chars(buf));
}
Decimal dec(std::string_view s) {
  Decimal d;
  REQUIRE(Decimal::parse(s, d));
  return d;
}
}  // namespace

TEST_CASE("decimal: parse and print round-trip exactly") {
  for (const char* s : {"0", "-1", "123.4500", "0.001", "-0.5", "99999999999999999999999999",
                        "12345678901234567890123456789012345678901234567890123456789012345"}) {
    CHECK(text(dec(s)) == s);
  }
  CHECK(text(dec("+7.")) == "7");
  CHECK(text(dec(".5")) == "0.5");
  CHECK(text(dec("-0.00")) == "0.00");
  Decimal d;
  CHECK_FALSE(Decimal::parse("", d));
  CHECK_FALSE(Decimal::parse("-", d));
  CHECK_FALSE(Decimal::parse("1.2.3", d));
  CHECK_FALSE(Decimal::parse("1e5", d));
  CHECK_FALSE(Decimal::parse(std::string(300, '9'), d));  // beyond the capacity: refused
}

TEST_CASE("decimal: arithmetic is exact at any size") {
  Decimal r;
  REQUIRE(add(dec("0.1"), dec("0.2"), r));
  CHECK(text(r) == "0.3");
  REQUIRE(sub(dec("1"), dec("1.001"), r));
  CHECK(text(r) == "-0.001");
  REQUIRE(mul(dec("-1.5"), dec("-1.5"), r));
  CHECK(text(r) == "2.25");
  REQUIRE(mul(dec("99999999999999999999999999999999999999999999999999999999999999999"),
              dec("99999999999999999999999999999999999999999999999999999999999999999"), r));
  CHECK(text(r) == "99999999999999999999999999999999999999999999999999999999999999998" +
                       std::string(64, '0') + "1");
  REQUIRE(div(dec("1"), dec("3"), 10, r));
  CHECK(text(r) == "0.3333333333");
  REQUIRE(div(dec("2"), dec("3"), 4, r));
  CHECK(text(r) == "0.6667");
  REQUIRE(div(dec("-2"), dec("3"), 4, r));
  CHECK(text(r) == "-0.6667");
  REQUIRE(div(dec("10"), dec("0.25"), 0, r));
  CHECK(text(r) == "40");
  REQUIRE(mod(dec("-7.5"), dec("2"), r));
  CHECK(text(r) == "-1.5");
  CHECK(compare(dec("1.10"), dec("1.1")) == 0);
  CHECK(compare(dec("-2"), dec("1")) < 0);
  CHECK(compare(dec("0.0001"), dec("0")) > 0);
}

TEST_CASE("decimal: rescale rounds half away from zero, floor and ceiling") {
  Decimal d = dec("2.345");
  REQUIRE(d.rescale(2));
  CHECK(text(d) == "2.35");
  d = dec("-2.345");
  REQUIRE(d.rescale(2));
  CHECK(text(d) == "-2.35");
  d = dec("-2.341");
  REQUIRE(d.rescale(0, Decimal::Rounding::floor));
  CHECK(text(d) == "-3");
  d = dec("2.001");
  REQUIRE(d.rescale(0, Decimal::Rounding::ceiling));
  CHECK(text(d) == "3");
  d = dec("9.99");
  REQUIRE(d.rescale(1));
  CHECK(text(d) == "10.0");
  CHECK(d.integer_digits() == 2);
  d = dec("1.5");
  REQUIRE(d.rescale(4));
  CHECK(text(d) == "1.5000");
  int64_t v = 0;
  CHECK(dec("-9223372036854775808").to_int64(v));
  CHECK(v == INT64_MIN);
  CHECK_FALSE(dec("9223372036854775808").to_int64(v));
  CHECK(dec("123.99").to_int64(v));
  CHECK(v == 123);
  CHECK(dec("0.1").to_double() == 0.1);
}

TEST_CASE("compare_decimal_text orders digit texts exactly as Decimal compare does") {
  const std::vector<std::string> texts = {
      "0", "-0", "+0", "0.000", "-0.00", ".0", "0.", "1", "-1", "+1", "1.0", "01.00", "10", "9.999",
      "10.001", "-10", "-9.99", "123.45", "123.4", "123.450", "123.451", "-123.45", "-123.449",
      ".5", "-.5", "0.05", "0.5", "5.", "99999999999999999999.99", "100000000000000000000",
      "-0.125", "-0.1250", "-0.12", "-0.13",
      // Digit runs around the eight-byte steps of the digit scanner.
      "12345678", "12345679", "1234567.8", "123456789", "12345678.9", "1234567812345678",
      "1234567812345678.5", "12345678123456789", "-00000000123.00000000", "0.123456781234567"};
  for (const std::string& a : texts) {
    for (const std::string& b : texts) {
      int fast = 2;
      REQUIRE(compare_decimal_text(a, b, fast));
      CHECK_MESSAGE(fast == compare(dec(a), dec(b)), a << " vs " << b);
    }
  }
  int untouched = 7;
  for (std::string_view bad :
       {"", "-", ".", "1.2.3", "1e3", " 1", "1 ", "--1", "0x1", "1,5",
        // a non-digit inside or right after an eight-byte step
        "1234567x", "12345678x", "1234567/8", "1234567:8", "123456789.1234567@", "12345678\xC3\xA9",
        "1234\x80"
        "5678",
        "1234\xB0"
        "5678",
        "12345678.\xB9"}) {
    CHECK_FALSE(compare_decimal_text(bad, "1", untouched));
    CHECK_FALSE(compare_decimal_text("1", bad, untouched));
  }
  CHECK_FALSE(compare_decimal_text(std::string(101, '9'), "1", untouched));  // the Decimal way
  CHECK(untouched == 7);
}
