#include "cdc/expr/datetime.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

using namespace cdc::expr;

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

TEST_CASE("time zone: UTC, fixed offsets and IANA names") {
  auto fixed = TimeZone::parse("+08:00");
  REQUIRE(fixed);
  CHECK(fixed->offset_at_utc(0) == 8 * 3600);
  CHECK(fixed->offset_for_local(0) == 8 * 3600);
  CHECK(TimeZone::parse("-0530")->offset_at_utc(0) == -(5 * 3600 + 30 * 60));
  CHECK(TimeZone::parse("UTC+1")->offset_at_utc(0) == 3600);
  CHECK(TimeZone::parse("UTC")->offset_at_utc(123) == 0);
  CHECK_FALSE(TimeZone::parse("+25:00"));
  CHECK_FALSE(TimeZone::parse("+8:0"));
  CHECK_FALSE(TimeZone::parse("../etc/passwd"));
  auto paris = TimeZone::parse("Europe/Paris");
  REQUIRE(paris);
  CHECK(paris->offset_at_utc(1709296496) == 3600);  // 2024-03-01: CET
  CHECK(paris->offset_at_utc(1719828000) == 7200);  // 2024-07-01: CEST
  CHECK(paris->offset_at_utc(-5000000000) == 561);  // 1811: local mean time, type 0
  auto missing = TimeZone::parse("Nowhere/Atlantis");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("unknown time zone 'Nowhere/Atlantis'") != std::string::npos);
}

TEST_CASE("time zone: no prefix or corruption of a TZif file crashes or over-reads") {
  std::ifstream in("/usr/share/zoneinfo/Europe/Paris", std::ios::binary);
  REQUIRE(in.good());
  std::string full((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(TimeZone::from_tzif(full, "Europe/Paris"));
  for (size_t n = 0; n < full.size(); ++n) {
    auto z = TimeZone::from_tzif(std::string_view(full).substr(0, n), "Europe/Paris");
    if (!z) CHECK(z.error().code == cdc::Errc::invalid_config);
  }
  for (size_t i = 0; i < full.size(); i += 7) {
    std::string bad = full;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    auto z = TimeZone::from_tzif(bad, "x");
    if (z) (void)z->offset_for_local(1700000000);
  }
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
