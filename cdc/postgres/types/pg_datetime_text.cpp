#include "cdc/postgres/types/pg_datetime_text.h"

#include "cdc/core/text.h"

namespace cdc::postgres {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

Error bad(std::string_view what, std::string_view text) {
  constexpr size_t kShown = 80;
  return make_error(Errc::malformed,
                    std::string(what) + ": " + quote(printable(text.substr(0, kShown))));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the text; each reader consumes on success only.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool literal(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  // Between min_digits and max_digits decimal digits.
  bool digits(size_t min_digits, size_t max_digits, int64_t& out) {
    size_t n = 0;
    int64_t v = 0;
    while (n < max_digits && pos_ + n < s_.size() && is_digit(s_[pos_ + n])) {
      v = v * 10 + (s_[pos_ + n] - '0');
      ++n;
    }
    if (n < min_digits || (pos_ + n < s_.size() && is_digit(s_[pos_ + n]))) return false;
    pos_ += n;
    out = v;
    return true;
  }
  std::string_view rest() const { return s_.substr(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

uint32_t days_in_month(int64_t y, uint32_t m) {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil (http://howardhinnant.github.io/date_algorithms.html).
int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint64_t>(y - era * 400);
  const uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD" (year of 4 or more digits); BC is read by the caller, which sees the end.
bool read_ymd(Cursor& c, PgDate& d) {
  int64_t y = 0, m = 0, day = 0;
  if (!c.digits(4, 9, y) || !c.literal('-') || !c.digits(2, 2, m) || !c.literal('-') ||
      !c.digits(2, 2, day)) {
    return false;
  }
  d.year = y;
  d.month = static_cast<uint32_t>(m);
  d.day = static_cast<uint32_t>(day);
  return true;
}

// Applies " BC" (year N BC is astronomical 1 - N) and checks month and day.
bool finish_date(Cursor& c, PgDate& d) {
  if (c.literal(" BC")) {
    if (d.year == 0) return false;
    d.year = 1 - d.year;
  } else if (d.year == 0) {
    return false;  // PostgreSQL prints year 0 as 0001 BC
  }
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

// "HH:MM:SS[.f{1,6}]", hours up to max_hours (24 only as 24:00:00).
bool read_hms(Cursor& c, PgTime& t) {
  int64_t h = 0, m = 0, s = 0;
  if (!c.digits(2, 2, h) || !c.literal(':') || !c.digits(2, 2, m) || !c.literal(':') ||
      !c.digits(2, 2, s) || h > 24 || m > 59 || s > 59) {
    return false;
  }
  int64_t frac = 0;
  t.fsp = 0;
  if (c.literal('.')) {
    std::string_view r = c.rest();
    size_t n = 0;
    while (n < r.size() && is_digit(r[n])) ++n;
    if (n == 0 || n > 6 || !c.digits(n, n, frac)) return false;
    t.fsp = static_cast<uint8_t>(n);
    for (size_t i = n; i < 6; ++i) frac *= 10;
  }
  t.micros = h * kMicrosPerHour + m * kMicrosPerMinute + s * kMicrosPerSecond + frac;
  return h < 24 || t.micros == kMicrosPerDay;
}

// "+HH[:MM[:SS]]" east of UTC, as EncodeTimezone prints it (|offset| < 16 h).
bool read_offset(Cursor& c, int32_t& offset_seconds) {
  const bool negative = c.peek() == '-';
  if (!c.literal('+') && !c.literal('-')) return false;
  int64_t h = 0, m = 0, s = 0;
  if (!c.digits(2, 2, h)) return false;
  if (c.literal(':')) {
    if (!c.digits(2, 2, m)) return false;
    if (c.literal(':') && !c.digits(2, 2, s)) return false;
  }
  if (h > 15 || m > 59 || s > 59) return false;
  const auto total = static_cast<int32_t>(h * 3600 + m * 60 + s);
  offset_seconds = negative ? -total : total;
  return true;
}

PgInfinity infinity_of(std::string_view text) {
  if (text == "infinity") return PgInfinity::plus;
  if (text == "-infinity") return PgInfinity::minus;
  return PgInfinity::none;
}

}  // namespace

Result<PgDate> parse_pg_date(std::string_view text) {
  PgDate d;
  d.infinity = infinity_of(text);
  if (d.infinity != PgInfinity::none) return d;
  Cursor c(text);
  if (!read_ymd(c, d) || !finish_date(c, d) || !c.done()) return bad("not a date", text);
  return d;
}

Result<PgTime> parse_pg_time(std::string_view text) {
  PgTime t;
  Cursor c(text);
  if (!read_hms(c, t) || !c.done()) return bad("not a time", text);
  return t;
}

Result<PgTimestamp> parse_pg_timetz(std::string_view text) {
  PgTimestamp ts;
  Cursor c(text);
  if (!read_hms(c, ts.time) || !read_offset(c, ts.offset_seconds) || !c.done()) {
    return bad("not a time with time zone", text);
  }
  return ts;
}

Result<PgTimestamp> parse_pg_timestamp(std::string_view text, bool with_zone) {
  PgTimestamp ts;
  ts.infinity = infinity_of(text);
  if (ts.infinity != PgInfinity::none) return ts;
  Cursor c(text);
  if (!read_ymd(c, ts.date) || !c.literal(' ') || !read_hms(c, ts.time) ||
      ts.time.micros == kMicrosPerDay || (with_zone && !read_offset(c, ts.offset_seconds)) ||
      !finish_date(c, ts.date) || !c.done()) {
    return bad(with_zone ? "not a timestamp with time zone" : "not a timestamp", text);
  }
  return ts;
}

Result<int64_t> pg_epoch_micros(const PgTimestamp& ts) {
  const int64_t days = days_from_civil(ts.date.year, ts.date.month, ts.date.day);
  int64_t micros = 0;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &micros) ||
      __builtin_add_overflow(micros, ts.time.micros, &micros) ||
      __builtin_sub_overflow(micros, int64_t{ts.offset_seconds} * kMicrosPerSecond, &micros)) {
    return make_error(Errc::unsupported,
                      "timestamp beyond the range of microseconds since 1970 in 64 bits");
  }
  return micros;
}

Result<PgInterval> parse_pg_interval(std::string_view text) {
  PgInterval iv;
  Cursor c(text);
  bool first = true;
  bool any = false;
  while (!c.done()) {
    if (!first && !c.literal(' ')) return bad("not an interval", text);
    first = false;
    const bool negative = c.peek() == '-';
    if (!c.literal('-')) c.literal('+');
    int64_t n = 0;
    if (!c.digits(1, 10, n)) return bad("not an interval", text);
    if (c.literal(':')) {  // the time part, always last
      int64_t m = 0, s = 0, frac = 0;
      if (!c.digits(2, 2, m) || !c.literal(':') || !c.digits(2, 2, s) || m > 59 || s > 59) {
        return bad("not an interval", text);
      }
      if (c.literal('.')) {
        std::string_view r = c.rest();
        size_t k = 0;
        while (k < r.size() && is_digit(r[k])) ++k;
        if (k == 0 || k > 6 || !c.digits(k, k, frac)) return bad("not an interval", text);
        for (size_t i = k; i < 6; ++i) frac *= 10;
      }
      // In 128 bits: the magnitude of INT64_MIN ("-2562047788:00:54.775808") is one more
      // than INT64_MAX.
      __int128 micros = static_cast<__int128>(n) * kMicrosPerHour + m * kMicrosPerMinute +
                        s * kMicrosPerSecond + frac;
      if (negative) micros = -micros;
      if (micros < INT64_MIN || micros > INT64_MAX || !c.done()) {
        return bad("not an interval", text);
      }
      iv.micros = static_cast<int64_t>(micros);
      any = true;
      break;
    }
    if (n > (negative ? int64_t{INT32_MAX} + 1 : INT32_MAX)) {  // fields are int32
      return bad("interval field out of range", text);
    }
    const int64_t v = negative ? -n : n;
    if (!c.literal(' ')) return bad("not an interval", text);
    // "1 year", "2 years": the unit, then an 's' unless the value is 1.
    if (c.literal("year")) {
      iv.months += v * 12;
    } else if (c.literal("mon")) {
      iv.months += v;
    } else if (c.literal("day")) {
      iv.days += v;
    } else {
      return bad("not an interval (unknown unit)", text);
    }
    if (c.literal('s') != (v != 1)) return bad("not an interval", text);
    any = true;
  }
  if (!any) return bad("not an interval", text);
  return iv;
}

namespace {

void append_int(std::string& out, int64_t v) { out += std::to_string(v); }

void append_iso_part(std::string& out, int64_t v, char unit) {
  if (v == 0) return;
  append_int(out, v);
  out.push_back(unit);
}

}  // namespace

void append_iso8601_interval(std::string& out, const PgInterval& iv) {
  const int64_t year = iv.months / 12;
  const int64_t mon = iv.months % 12;
  int64_t t = iv.micros;
  const int64_t hour = t / kMicrosPerHour;
  t -= hour * kMicrosPerHour;
  const int64_t min = t / kMicrosPerMinute;
  t -= min * kMicrosPerMinute;
  const int64_t sec = t / kMicrosPerSecond;
  const int64_t fsec = t - sec * kMicrosPerSecond;
  if (iv.months == 0 && iv.days == 0 && iv.micros == 0) {
    out += "PT0S";
    return;
  }
  out.push_back('P');
  append_iso_part(out, year, 'Y');
  append_iso_part(out, mon, 'M');
  append_iso_part(out, iv.days, 'D');
  if (hour != 0 || min != 0 || sec != 0 || fsec != 0) out.push_back('T');
  append_iso_part(out, hour, 'H');
  append_iso_part(out, min, 'M');
  if (sec != 0 || fsec != 0) {
    if (sec < 0 || fsec < 0) out.push_back('-');
    append_int(out, sec < 0 ? -sec : sec);
    if (fsec != 0) {
      std::string frac = std::to_string(fsec < 0 ? -fsec : fsec);
      frac.insert(0, 6 - frac.size(), '0');
      while (frac.back() == '0') frac.pop_back();
      out.push_back('.');
      out += frac;
    }
    out.push_back('S');
  }
}

void append_utc_offset(std::string& out, int32_t offset_seconds) {
  const int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  char buf[16];
  const int h = a / 3600, m = a / 60 % 60, s = a % 60;
  int n =
      s != 0 ? std::snprintf(buf, sizeof(buf), "%c%02d:%02d:%02d", offset_seconds < 0 ? '-' : '+',
                             h, m, s)
             : std::snprintf(buf, sizeof(buf), "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', h, m);
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace cdc::postgres
