// Calendar arithmetic and text formats of the expression engine's date/time functions:
// proleptic Gregorian civil dates, conversions between sluice's date/datetime/timestamp Value
// encodings and broken-down fields (TIMESTAMP_LTZ through a TimeZone), and Java
// SimpleDateFormat-style patterns as Flink's DATE_FORMAT / TO_TIMESTAMP use them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/value.h"
#include "cdc/expr/time_zone.h"

namespace cdc::expr {

struct DateTimeFields {
  int32_t year = 1970;
  uint32_t month = 1, day = 1, hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;
};

int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d);
void civil_from_days(int64_t days, int32_t& y, uint32_t& m, uint32_t& d);
bool valid_date(int32_t y, uint32_t m, uint32_t d);

// Microseconds since the epoch of local fields read as UTC ("wall clock micros").
int64_t wall_micros(const DateTimeFields& f);
DateTimeFields fields_from_wall_micros(int64_t micros);
DateTimeFields fields_from_timestamp(int64_t utc_micros, const TimeZone& zone);
int64_t timestamp_from_fields(const DateTimeFields& f, const TimeZone& zone);

// Value encodings (value.h) <-> fields. Only date/datetime/timestamp kinds.
bool fields_from_value(const Value& v, const TimeZone& zone, DateTimeFields& out);
Value date_value(const DateTimeFields& f);
Value datetime_value(const DateTimeFields& f, uint8_t fsp);

// ISO text: 'YYYY-MM-DD', 'YYYY-MM-DD hh:mm:ss[.ffffff]' (or 'T'), 'hh:mm:ss[.ffffff]'.
// `fsp_out` gets the number of fraction digits written.
bool parse_iso_date(std::string_view s, DateTimeFields& out);
bool parse_iso_datetime(std::string_view s, DateTimeFields& out, uint8_t* fsp_out = nullptr);
bool parse_iso_time(std::string_view s, int64_t& micros, uint8_t* fsp_out = nullptr);

void format_iso_date(const DateTimeFields& f, std::string& out);
void format_iso_datetime(const DateTimeFields& f, uint8_t fsp, std::string& out);
void format_iso_time(int64_t micros, uint8_t fsp, std::string& out);

// SimpleDateFormat letters: y M d H h k K m s S a E D, 'quoted text', other characters
// literally. Unknown letters are an error (false + message) so a typo is found at compile time.
bool check_date_pattern(std::string_view pattern, std::string& error);
void format_with_pattern(const DateTimeFields& f, std::string_view pattern, std::string& out);
// Parses `text` that must match `pattern` exactly (numeric fields only, plus a/AM/PM).
bool parse_with_pattern(std::string_view text, std::string_view pattern, DateTimeFields& out);

}  // namespace cdc::expr
