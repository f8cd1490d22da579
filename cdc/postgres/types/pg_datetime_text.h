// Parsers of PostgreSQL's date/time output under DateStyle=ISO and IntervalStyle=postgres:
//   date         "2024-02-29", "0044-03-15 BC", "infinity", "-infinity"
//   time         "24:00:00", "12:34:56.789"
//   timetz       "12:34:56.789+05:30", "00:00:00-12:00:15"
//   timestamp    "2024-02-29 12:34:56.5", "4713-01-01 00:00:00 BC"
//   timestamptz  "2024-02-29 12:34:56.5+00", "1900-01-01 00:00:00+01:22:05"
//   interval     "1 year -2 mons +3 days -04:05:06.7", "00:00:00"
// Years are kept astronomically (1 BC = 0, 44 BC = -43), as ISO 8601 counts them. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::postgres {

enum class PgInfinity : uint8_t { none, plus, minus };

struct PgDate {
  PgInfinity infinity = PgInfinity::none;
  int64_t year = 0;  // astronomical
  uint32_t month = 0, day = 0;
};

struct PgTime {
  int64_t micros = 0;  // since midnight; 24:00:00 is 86'400'000'000
  uint8_t fsp = 0;     // fraction digits printed (output trims trailing zeros)
};

struct PgTimestamp {
  PgInfinity infinity = PgInfinity::none;
  PgDate date;
  PgTime time;
  int32_t offset_seconds = 0;  // timestamptz/timetz: east of UTC
};

Result<PgDate> parse_pg_date(std::string_view text);
Result<PgTime> parse_pg_time(std::string_view text);
Result<PgTimestamp> parse_pg_timetz(std::string_view text);  // date unset
Result<PgTimestamp> parse_pg_timestamp(std::string_view text, bool with_zone);

// Microseconds since 1970-01-01 00:00:00 UTC (offset applied); an error beyond int64.
Result<int64_t> pg_epoch_micros(const PgTimestamp& ts);

struct PgInterval {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};
Result<PgInterval> parse_pg_interval(std::string_view text);

// ISO 8601 duration as PostgreSQL prints it with IntervalStyle=iso_8601 ("P1Y2M3DT4H5M6.7S",
// "P-1Y-2M3DT-4H-5M-6.7S", "PT0S").
void append_iso8601_interval(std::string& out, const PgInterval& interval);

// "+05:30" style offset (hours and minutes always, seconds when not zero).
void append_utc_offset(std::string& out, int32_t offset_seconds);

}  // namespace cdc::postgres
