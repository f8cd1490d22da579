#include "cdc/postgres/types/pg_datetime_text.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::postgres;

namespace {

std::string ymd(std::string_view text) {
  auto d = parse_pg_date(text);
  if (!d) return "error";
  if (d->infinity != PgInfinity::none) return d->infinity == PgInfinity::plus ? "+inf" : "-inf";
  return std::to_string(d->year) + "/" + std::to_string(d->month) + "/" + std::to_string(d->day);
}

int64_t epoch(std::string_view text) {
  auto ts = parse_pg_timestamp(text, true);
  REQUIRE(ts);
  auto micros = pg_epoch_micros(*ts);
  REQUIRE(micros);
  return *micros;
}

std::string iso(std::string_view text) {
  auto iv = parse_pg_interval(text);
  if (!iv) return "error";
  std::string out;
  append_iso8601_interval(out, *iv);
  return out;
}

}  // namespace

TEST_CASE("date: ISO, BC as astronomical years, the calendar checked, infinity") {
  CHECK(ymd("2024-02-29") == "2024/2/29");
  CHECK(ymd("0001-01-01") == "1/1/1");
  CHECK(ymd("0001-12-31 BC") == "0/12/31");
  CHECK(ymd("0044-03-15 BC") == "-43/3/15");
  CHECK(ymd("4714-11-24 BC") == "-4713/11/24");    // the first date PostgreSQL has
  CHECK(ymd("5874897-12-31") == "5874897/12/31");  // the last
  CHECK(ymd("0005-02-29 BC") == "-4/2/29");        // 5 BC = -4, a leap year
  CHECK(ymd("infinity") == "+inf");
  CHECK(ymd("-infinity") == "-inf");
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "0000-01-01",
                          "0000-01-01 BC", "24-01-01", "2024-1-01", "2024-01-01 AD", "2024-01-01 ",
                          "Infinity", "2024/01/01", "1900-02-29"}) {
    INFO(bad);
    CHECK(ymd(bad) == "error");
  }
}

TEST_CASE("time: fraction digits kept, 24:00:00 allowed") {
  auto t = parse_pg_time("12:34:56.789");
  REQUIRE(t);
  CHECK(t->micros == ((12 * 60 + 34) * 60 + 56) * 1'000'000LL + 789'000);
  CHECK(t->fsp == 3);
  CHECK(parse_pg_time("24:00:00")->micros == 86'400'000'000LL);
  CHECK(parse_pg_time("00:00:00.000001")->micros == 1);
  CHECK(parse_pg_time("00:00:00")->fsp == 0);
  for (const char* bad : {"24:00:01", "24:00:00.5", "12:60:00", "12:00:60", "1:00:00", "12:00:00.",
                          "12:00:00.1234567", "12:00", "12:00:00+00"}) {
    INFO(bad);
    CHECK_FALSE(parse_pg_time(bad));
  }
}

TEST_CASE("timetz: every offset form EncodeTimezone prints") {
  CHECK(parse_pg_timetz("12:00:00+00")->offset_seconds == 0);
  CHECK(parse_pg_timetz("12:00:00+05:30")->offset_seconds == 19800);
  CHECK(parse_pg_timetz("12:00:00-12:00:15")->offset_seconds == -(12 * 3600 + 15));
  CHECK(parse_pg_timetz("00:00:00+15:59")->offset_seconds == 15 * 3600 + 59 * 60);
  for (const char* bad : {"12:00:00", "12:00:00+5", "12:00:00+16", "12:00:00 +00", "12:00:00+05:3",
                          "12:00:00+05:30:"}) {
    INFO(bad);
    CHECK_FALSE(parse_pg_timetz(bad));
  }
  std::string out;
  append_utc_offset(out, 0);
  append_utc_offset(out, -19800);
  append_utc_offset(out, 3600 + 61);
  CHECK(out == "+00:00-05:30+01:01:01");
}

TEST_CASE("timestamptz: offsets applied, BC, the int64 edge") {
  CHECK(epoch("1970-01-01 00:00:00+00") == 0);
  CHECK(epoch("1970-01-01 05:30:00+05:30") == 0);
  CHECK(epoch("1969-12-31 23:59:59.999999+00") == -1);
  CHECK(epoch("2000-01-01 00:00:00-01:22:05") == 946684800'000000LL + 4925'000000LL);
  CHECK(epoch("0001-01-01 00:00:00+00") == -62135596800'000000LL);
  CHECK(epoch("0001-12-31 00:00:00+00 BC") == -62135683200'000000LL);
  CHECK(epoch("4714-11-24 00:00:00+00 BC") == -210866803200'000000LL);
  CHECK(epoch("294247-01-10 04:00:54.775807+00") == INT64_MAX);
  auto beyond = parse_pg_timestamp("294276-12-31 23:59:59.999999+00", true);
  REQUIRE(beyond);
  CHECK(pg_epoch_micros(*beyond).error().code == Errc::unsupported);
  auto plain = parse_pg_timestamp("2024-02-29 12:34:56.5", false);
  REQUIRE(plain);
  CHECK(plain->date.year == 2024);
  CHECK(plain->time.fsp == 1);
  CHECK(parse_pg_timestamp("infinity", true)->infinity == PgInfinity::plus);
  for (const char* bad : {"2024-02-29 12:34:56", "2024-02-29T12:34:56+00", "2024-02-29 24:00:00+00",
                          "2024-02-29 12:34:56+00 AD", "2024-02-30 12:34:56+00"}) {
    INFO(bad);
    CHECK_FALSE(parse_pg_timestamp(bad, true));
  }
  CHECK_FALSE(parse_pg_timestamp("2024-02-29 12:34:56+00", false));
}

TEST_CASE("interval: postgres style in, PostgreSQL's iso_8601 style out") {
  CHECK(iso("00:00:00") == "PT0S");
  CHECK(iso("1 year 2 mons 3 days 04:05:06.78") == "P1Y2M3DT4H5M6.78S");
  CHECK(iso("-1 years -2 mons +3 days -04:05:06.78") == "P-1Y-2M3DT-4H-5M-6.78S");
  CHECK(iso("1 mon") == "P1M");
  CHECK(iso("-1 days +00:00:01") == "P-1DT1S");
  CHECK(iso("-00:00:00.000001") == "PT-0.000001S");
  CHECK(iso("13 years") == "P13Y");
  CHECK(iso("2562047788:00:54.775807") == "PT2562047788H54.775807S");
  CHECK(iso("-2562047788:00:54.775808") == "PT-2562047788H-54.775808S");
  CHECK(iso("2562047788:00:54.775808") == "error");
  CHECK(iso("-178000000 years") == "P-178000000Y");
  CHECK(iso("-2147483648 days") == "P-2147483648D");
  CHECK(iso("2147483648 days") == "error");
  for (const char* bad : {"", "1 years", "2 year", "1 day 1 day x", "1 week", "00:60:00",
                          "1 day 00:00:00 1 day", "@ 1 day", "1 day ", "01:02", "1.5 days"}) {
    INFO(bad);
    CHECK(iso(bad) == "error");
  }
}
