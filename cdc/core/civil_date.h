// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days,
// http://howardhinnant.github.io/date_algorithms.html), for renderers of day counts whose range
// (PostgreSQL's BC dates, year 294247) is wider than std::chrono's year_month_day. Pure.
#pragma once

#include <cstdint>

namespace cdc {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

constexpr CivilDate civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month,
          doy - (153 * mp + 2) / 5 + 1};
}

}  // namespace cdc
