#include "cdc/expr/datetime.h"

#include <charconv>
#include <cstdio>

namespace cdc::expr {

// Howard Hinnant's civil calendar algorithms (public domain), proleptic Gregorian.
int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int32_t& y, uint32_t& m, uint32_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<uint32_t>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int32_t>(yoe + era * 400 + (m <= 2));
}

bool valid_date(int32_t y, uint32_t m, uint32_t d) {
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

namespace {

bool read_uint(std::string_view s, size_t& pos, size_t min_digits, size_t max_digits,
               uint32_t& out) {
  size_t start = pos;
  uint32_t v = 0;
  while (pos < s.size() && pos - start < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + static_cast<uint32_t>(s[pos] - '0');
    ++pos;
  }
  if (pos - start < min_digits) return false;
  out = v;
  return true;
}

bool read_fraction(std::string_view s, size_t& pos, uint32_t& micros, uint8_t& digits) {
  micros = 0;
  digits = 0;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (pos - start < 6) {
      micros = micros * 10 + static_cast<uint32_t>(s[pos] - '0');
      ++digits;
    }
    ++pos;
  }
  if (pos == start) return false;
  for (uint8_t i = digits; i < 6; ++i) micros *= 10;
  return true;
}

void append_padded(std::string& out, int64_t v, int width) {
  char buf[24];
  bool neg = v < 0;
  uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, mag);
  int len = static_cast<int>(end - buf);
  if (neg) out.push_back('-');
  for (int i = len; i < width; ++i) out.push_back('0');
  out.append(buf, end);
}

}  // namespace

int64_t wall_micros(const DateTimeFields& f) {
  int64_t days = days_from_civil(f.year, f.month, f.day);
  return ((days * 86400 + f.hour * 3600 + f.minute * 60 + f.second) * 1000000) + f.micros;
}

DateTimeFields fields_from_wall_micros(int64_t micros) {
  DateTimeFields f;
  int64_t secs = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  civil_from_days(days, f.year, f.month, f.day);
  f.hour = static_cast<uint32_t>(sod / 3600);
  f.minute = static_cast<uint32_t>(sod / 60 % 60);
  f.second = static_cast<uint32_t>(sod % 60);
  f.micros = static_cast<uint32_t>(frac);
  return f;
}

namespace {
int64_t floor_seconds(int64_t micros) { return micros / 1000000 - (micros % 1000000 < 0 ? 1 : 0); }
}  // namespace

DateTimeFields fields_from_timestamp(int64_t utc_micros, const TimeZone& zone) {
  return fields_from_wall_micros(utc_micros +
                                 int64_t{zone.offset_at_utc(floor_seconds(utc_micros))} * 1000000);
}

int64_t timestamp_from_fields(const DateTimeFields& f, const TimeZone& zone) {
  int64_t local = wall_micros(f);
  return local - int64_t{zone.offset_for_local(floor_seconds(local))} * 1000000;
}

bool fields_from_value(const Value& v, const TimeZone& zone, DateTimeFields& out) {
  switch (v.kind) {
    case ValueKind::date: {
      out = DateTimeFields();
      out.year = v.date_year();
      out.month = v.date_month();
      out.day = v.date_day();
      return true;
    }
    case ValueKind::datetime: {
      out = DateTimeFields();
      out.year = v.date_year();
      out.month = v.date_month();
      out.day = v.date_day();
      out.hour = v.dt_hour();
      out.minute = v.dt_minute();
      out.second = v.dt_second();
      out.micros = v.aux;
      return true;
    }
    case ValueKind::timestamp: out = fields_from_timestamp(v.i, zone); return true;
    default: return false;
  }
}

Value date_value(const DateTimeFields& f) { return Value::date(f.year, f.month, f.day); }

Value datetime_value(const DateTimeFields& f, uint8_t fsp) {
  return Value::datetime(f.year, f.month, f.day, f.hour, f.minute, f.second, f.micros, fsp);
}

bool parse_iso_date(std::string_view s, DateTimeFields& out) {
  size_t pos = 0;
  uint32_t y = 0;
  out = DateTimeFields();
  if (!read_uint(s, pos, 4, 4, y) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_uint(s, pos, 1, 2, out.month) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_uint(s, pos, 1, 2, out.day) || pos != s.size()) return false;
  out.year = static_cast<int32_t>(y);
  return valid_date(out.year, out.month, out.day);
}

bool parse_iso_datetime(std::string_view s, DateTimeFields& out, uint8_t* fsp_out) {
  size_t split = s.find_first_of(" T");
  if (split == std::string_view::npos) {
    if (fsp_out) *fsp_out = 0;
    return parse_iso_date(s, out);
  }
  if (!parse_iso_date(s.substr(0, split), out)) return false;
  std::string_view t = s.substr(split + 1);
  size_t pos = 0;
  if (!read_uint(t, pos, 1, 2, out.hour) || pos >= t.size() || t[pos++] != ':') return false;
  if (!read_uint(t, pos, 2, 2, out.minute)) return false;
  out.second = 0;
  if (pos < t.size() && t[pos] == ':') {
    ++pos;
    if (!read_uint(t, pos, 2, 2, out.second)) return false;
  }
  uint8_t digits = 0;
  if (!read_fraction(t, pos, out.micros, digits) || pos != t.size()) return false;
  if (fsp_out) *fsp_out = digits;
  return out.hour < 24 && out.minute < 60 && out.second < 60;
}

bool parse_iso_time(std::string_view s, int64_t& micros, uint8_t* fsp_out) {
  size_t pos = 0;
  bool neg = !s.empty() && s[0] == '-';
  if (neg) ++pos;
  uint32_t h = 0, m = 0, sec = 0, frac = 0;
  uint8_t digits = 0;
  if (!read_uint(s, pos, 1, 3, h) || pos >= s.size() || s[pos++] != ':') return false;
  if (!read_uint(s, pos, 2, 2, m) || pos >= s.size() || s[pos++] != ':') return false;
  if (!read_uint(s, pos, 2, 2, sec) || !read_fraction(s, pos, frac, digits)) return false;
  if (pos != s.size() || m > 59 || sec > 59 || h > 838) return false;
  micros = ((int64_t{h} * 3600 + m * 60 + sec) * 1000000 + frac) * (neg ? -1 : 1);
  if (fsp_out) *fsp_out = digits;
  return true;
}

void format_iso_date(const DateTimeFields& f, std::string& out) {
  append_padded(out, f.year, 4);
  out.push_back('-');
  append_padded(out, f.month, 2);
  out.push_back('-');
  append_padded(out, f.day, 2);
}

namespace {
void append_fraction(std::string& out, uint32_t micros, uint8_t fsp) {
  if (fsp == 0) return;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", micros % 1000000);
  out.push_back('.');
  out.append(buf, fsp > 6 ? 6 : fsp);
}
}  // namespace

void format_iso_datetime(const DateTimeFields& f, uint8_t fsp, std::string& out) {
  format_iso_date(f, out);
  out.push_back(' ');
  append_padded(out, f.hour, 2);
  out.push_back(':');
  append_padded(out, f.minute, 2);
  out.push_back(':');
  append_padded(out, f.second, 2);
  append_fraction(out, f.micros, fsp);
}

void format_iso_time(int64_t micros, uint8_t fsp, std::string& out) {
  if (micros < 0) {
    out.push_back('-');
    micros = -micros;
  }
  int64_t secs = micros / 1000000;
  append_padded(out, secs / 3600, 2);
  out.push_back(':');
  append_padded(out, secs / 60 % 60, 2);
  out.push_back(':');
  append_padded(out, secs % 60, 2);
  append_fraction(out, static_cast<uint32_t>(micros % 1000000), fsp);
}

namespace {

constexpr std::string_view kPatternLetters = "yMdHhkKmsSaED";
constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

// Calls on_field(letter, count) for each letter run and on_literal(text) for literal text.
template <class Field, class Literal>
bool walk_pattern(std::string_view p, std::string& error, Field on_field, Literal on_literal) {
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\'') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '\'') {  // '' is a quote
        on_literal(std::string_view("'"));
        i += 2;
        continue;
      }
      std::string lit;
      while (j < p.size()) {
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            lit.push_back('\'');
            j += 2;
            continue;
          }
          break;
        }
        lit.push_back(p[j++]);
      }
      if (j >= p.size()) {
        error = "unterminated quote in date pattern '" + std::string(p) + "'";
        return false;
      }
      on_literal(std::string_view(lit));
      i = j + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (kPatternLetters.find(c) == std::string_view::npos) {
        error = std::string("unsupported letter '") + c + "' in date pattern '" + std::string(p) +
                "' (supported: y M d H h k K m s S a E D, 'text')";
        return false;
      }
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      if (!on_field(c, j - i)) {
        error = "date pattern '" + std::string(p) + "' cannot be parsed";
        return false;
      }
      i = j;
    } else {
      on_literal(p.substr(i, 1));
      ++i;
    }
  }
  return true;
}

}  // namespace

bool check_date_pattern(std::string_view pattern, std::string& error) {
  return walk_pattern(
      pattern, error, [](char, size_t) { return true; }, [](std::string_view) {});
}

void format_with_pattern(const DateTimeFields& f, std::string_view pattern, std::string& out) {
  std::string ignored;
  (void)walk_pattern(  // ignored because the pattern was checked at compile time
      pattern, ignored,
      [&](char c, size_t n) {
        int w = static_cast<int>(n);
        switch (c) {
          case 'y':
            if (n == 2) {
              append_padded(out, ((f.year % 100) + 100) % 100, 2);
            } else {
              append_padded(out, f.year, w);
            }
            break;
          case 'M':
            if (n >= 4) {
              out += kMonthNames[(f.month + 11) % 12];
            } else if (n == 3) {
              out.append(kMonthNames[(f.month + 11) % 12], 3);
            } else {
              append_padded(out, f.month, w);
            }
            break;
          case 'd': append_padded(out, f.day, w); break;
          case 'H': append_padded(out, f.hour, w); break;
          case 'k': append_padded(out, f.hour == 0 ? 24 : f.hour, w); break;
          case 'K': append_padded(out, f.hour % 12, w); break;
          case 'h': append_padded(out, f.hour % 12 == 0 ? 12 : f.hour % 12, w); break;
          case 'm': append_padded(out, f.minute, w); break;
          case 's': append_padded(out, f.second, w); break;
          case 'S': {
            // Java's S is milliseconds; SSSSSS (Flink's extension) shows microseconds.
            if (n <= 3) {
              append_padded(out, f.micros / 1000, w);
            } else {
              char buf[8];
              std::snprintf(buf, sizeof buf, "%06u", f.micros);
              out.append(buf, n > 6 ? 6 : n);
            }
            break;
          }
          case 'a': out += f.hour < 12 ? "AM" : "PM"; break;
          case 'E': {
            int64_t days = days_from_civil(f.year, f.month, f.day);
            int64_t dow = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday (index 3)
            const char* name = kDayNames[dow];
            if (n >= 4) {
              out += name;
            } else {
              out.append(name, 3);
            }
            break;
          }
          case 'D': {
            int64_t doy =
                days_from_civil(f.year, f.month, f.day) - days_from_civil(f.year, 1, 1) + 1;
            append_padded(out, doy, w);
            break;
          }
          default: break;
        }
        return true;
      },
      [&](std::string_view lit) { out += lit; });
}

bool parse_with_pattern(std::string_view text, std::string_view pattern, DateTimeFields& out) {
  out = DateTimeFields();
  size_t pos = 0;
  bool pm = false, has_ampm = false, twelve_hour = false, mismatch = false;
  std::string ignored;
  bool ok = walk_pattern(
      pattern, ignored,
      [&](char c, size_t n) {
        if (mismatch) return false;
        if (c == 'a') {
          if (text.substr(pos, 2) == "AM" || text.substr(pos, 2) == "am") {
            has_ampm = true;
          } else if (text.substr(pos, 2) == "PM" || text.substr(pos, 2) == "pm") {
            has_ampm = pm = true;
          } else {
            return false;
          }
          pos += 2;
          return true;
        }
        if (c == 'E' || (c == 'M' && n >= 3)) return false;  // names are not parsed
        uint32_t v = 0;
        // A run of n letters followed directly by another field reads exactly n digits.
        size_t max_digits = n >= 2 ? n : 9;
        size_t start = pos;
        if (!read_uint(text, pos, 1, max_digits, v)) return false;
        switch (c) {
          case 'y': out.year = static_cast<int32_t>(n == 2 ? 2000 + v : v); break;
          case 'M': out.month = v; break;
          case 'd': out.day = v; break;
          case 'H':
          case 'k': out.hour = v % 24; break;
          case 'h':
          case 'K':
            out.hour = v % 12;
            twelve_hour = true;
            break;
          case 'm': out.minute = v; break;
          case 's': out.second = v; break;
          case 'S': {
            size_t digits = pos - start;
            uint32_t micros = v;
            for (size_t i = digits; i < 6; ++i) micros *= 10;
            for (size_t i = 6; i < digits; ++i) micros /= 10;
            out.micros = micros;
            break;
          }
          case 'D': return false;
          default: break;
        }
        return true;
      },
      [&](std::string_view lit) {
        if (!mismatch && text.substr(pos, lit.size()) == lit) {
          pos += lit.size();
        } else {
          mismatch = true;
        }
      });
  if (!ok || mismatch || pos != text.size()) return false;
  if (has_ampm && pm && twelve_hour) out.hour += 12;
  return valid_date(out.year, out.month, out.day) && out.hour < 24 && out.minute < 60 &&
         out.second < 60;
}

}  // namespace cdc::expr
