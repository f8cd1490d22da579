#include "cdc/pipeline/expr/datetime.h"

#include <doctest/doctest.h>

using namespace cdc::pipeline::expr;

TEST_CASE("datetime: civil days round-trip across eras and leap rules") {
  for (int64_t days : {-719468LL, -1LL, 0LL, 11016LL, 19782LL, 2932896LL}) {
    int32_t y = 0;
    uint32_t m = 0, d = 0;
    civil_from_days(days, y, m, d);
    CHECK(days_from_civil(y, m, d) == days);
  }
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28) == 2);
  CHECK(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28) == 1);
  CHECK(valid_date(2024, 2, 29));
  CHECK_FALSE(valid_date(2023, 2, 29));
  CHECK_FALSE(valid_date(2100, 2, 29));
  CHECK(valid_date(2000, 2, 29));
}

TEST_CASE("datetime: zones are UTC or fixed offsets") {
  TimeZone z;
  CHECK(TimeZone::parse("+08:00", z));
  CHECK(z.offset_seconds == 8 * 3600);
  CHECK(TimeZone::parse("-0530", z));
  CHECK(z.offset_seconds == -(5 * 3600 + 30 * 60));
  CHECK(TimeZone::parse("UTC+1", z));
  CHECK(z.offset_seconds == 3600);
  CHECK(TimeZone::parse("UTC", z));
  CHECK(z.offset_seconds == 0);
  CHECK_FALSE(TimeZone::parse("Europe/Paris", z));
  CHECK_FALSE(TimeZone::parse("+25:00", z));
  CHECK_FALSE(TimeZone::parse("+8:0", z));
}

TEST_CASE("datetime: patterns parse and format; bad patterns and text are refused") {
  DateTimeFields f;
  REQUIRE(parse_with_pattern("2024-02-29 23:59:58.250", "yyyy-MM-dd HH:mm:ss.SSS", f));
  CHECK(f.year == 2024);
  CHECK(f.micros == 250000);
  std::string out;
  format_with_pattern(f, "dd/MM/yy HH:mm:ss.SSS", out);
  CHECK(out == "29/02/24 23:59:58.250");
  CHECK_FALSE(parse_with_pattern("2024-02-30", "yyyy-MM-dd", f));
  CHECK_FALSE(parse_with_pattern("2024-02-2", "yyyy-MM-dd HH", f));
  CHECK_FALSE(parse_with_pattern("2024x02", "yyyy-MM", f));
  CHECK_FALSE(parse_with_pattern("", "yyyy", f));
  std::string error;
  CHECK_FALSE(check_date_pattern("yyyy 'open", error));
  CHECK(error.find("unterminated quote") != std::string::npos);
  CHECK_FALSE(check_date_pattern("YYYY", error));
  CHECK(check_date_pattern("yyyy-MM-dd'T'HH:mm:ss", error));
  DateTimeFields g = fields_from_wall_micros(-1);
  CHECK(g.year == 1969);
  CHECK(g.micros == 999999);
  CHECK(g.second == 59);
}
