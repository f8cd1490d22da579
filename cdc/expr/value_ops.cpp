#include "cdc/expr/value_ops.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "cdc/core/text.h"

namespace cdc::expr {

bool is_integer_kind(ValueKind k) {
  return k == ValueKind::int64 || k == ValueKind::uint64 || k == ValueKind::bit ||
         k == ValueKind::year;
}
bool is_numeric_kind(ValueKind k) {
  return is_integer_kind(k) || k == ValueKind::float32 || k == ValueKind::float64 ||
         k == ValueKind::decimal;
}
bool is_text_kind(ValueKind k) {
  return k == ValueKind::string || k == ValueKind::bytes || k == ValueKind::json ||
         k == ValueKind::enum_label || k == ValueKind::set_labels;
}
bool is_datetime_kind(ValueKind k) {
  return k == ValueKind::date || k == ValueKind::datetime || k == ValueKind::timestamp;
}

std::string type_name(const ExprType& t) {
  auto with_fsp = [&](const char* name) {
    return std::string(name) + "(" + std::to_string(t.fsp) + ")";
  };
  switch (t.kind) {
    case ValueKind::null: return "NULL";
    case ValueKind::boolean: return "BOOLEAN";
    case ValueKind::int64: return "BIGINT";
    case ValueKind::uint64: return "BIGINT UNSIGNED";
    case ValueKind::float32: return "FLOAT";
    case ValueKind::float64: return "DOUBLE";
    case ValueKind::decimal:
      return "DECIMAL(" + std::to_string(t.precision) + ", " + std::to_string(t.scale) + ")";
    case ValueKind::string: return "STRING";
    case ValueKind::bytes: return "BYTES";
    case ValueKind::date: return "DATE";
    case ValueKind::time: return with_fsp("TIME");
    case ValueKind::datetime: return with_fsp("TIMESTAMP");
    case ValueKind::timestamp: return with_fsp("TIMESTAMP_LTZ");
    case ValueKind::json: return "JSON";
    case ValueKind::bit: return "BIT";
    case ValueKind::enum_label: return "ENUM";
    case ValueKind::set_labels: return "SET";
    case ValueKind::year: return "YEAR";
    case ValueKind::geometry: return "GEOMETRY";
  }
  return "?";
}

ExprType column_type(const Column& c) {
  ExprType t;
  t.kind = c.kind;
  t.nullable = c.nullable;
  t.fsp = c.fsp;
  if (c.kind == ValueKind::decimal) {
    t.precision = c.precision == 0 ? 10 : c.precision;
    t.scale = c.scale;
  }
  return t;
}

int64_t as_int64(const Value& v) {
  switch (v.kind) {
    case ValueKind::uint64:
    case ValueKind::bit: return static_cast<int64_t>(v.u);
    case ValueKind::float32:
    case ValueKind::float64: return static_cast<int64_t>(v.d);
    default: return v.i;
  }
}

double as_double(const Value& v) {
  switch (v.kind) {
    case ValueKind::uint64:
    case ValueKind::bit: return static_cast<double>(v.u);
    case ValueKind::float32:
    case ValueKind::float64: return v.d;
    case ValueKind::decimal: {
      Decimal d;
      return Decimal::parse(v.text, d) ? d.to_double() : 0.0;
    }
    default: return static_cast<double>(v.i);
  }
}

bool as_decimal(const Value& v, Decimal& out) {
  switch (v.kind) {
    case ValueKind::uint64:
    case ValueKind::bit: out = Decimal::from_uint64(v.u); return true;
    case ValueKind::decimal: return Decimal::parse(v.text, out);
    case ValueKind::int64:
    case ValueKind::year:
    case ValueKind::boolean: out = Decimal::from_int64(v.i); return true;
    default: return false;
  }
}

ExprType decimal_type_of(const ExprType& t) {
  ExprType d;
  d.kind = ValueKind::decimal;
  d.nullable = t.nullable;
  switch (t.kind) {
    case ValueKind::decimal: return t;
    case ValueKind::uint64:
    case ValueKind::bit: d.precision = 20; break;
    case ValueKind::year: d.precision = 4; break;
    default: d.precision = t.precision != 0 ? t.precision : 19; break;  // INT literals: 10
  }
  return d;
}

namespace {

void append_double(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  out += s;
  // Java's Double.toString always shows a fraction: 2.0, not 2.
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

Status bad_cast(const EvalContext& ctx, uint32_t offset, const Value& in, const ExprType& to) {
  std::string shown;
  append_text(in, ctx.zone, shown);
  if (shown.size() > 64) shown = shown.substr(0, 64) + "...";
  return runtime_error(
      ctx, offset,
      "cannot CAST " + type_name(ExprType{in.kind}) + " '" + shown + "' AS " + type_name(to));
}

Status fit_decimal(const EvalContext& ctx, uint32_t offset, Decimal d, const ExprType& to,
                   Value& out) {
  if (!d.rescale(to.scale) || d.integer_digits() > to.precision - to.scale) {
    return overflow(ctx, offset, "value does not fit " + type_name(to), out);
  }
  out = Value::decimal(d.to_text(*ctx.row.arena), to.scale);
  return {};
}

}  // namespace

void append_text(const Value& v, const TimeZone& zone, std::string& out) {
  char buf[32];
  switch (v.kind) {
    case ValueKind::null: return;
    case ValueKind::boolean: out += v.i ? "TRUE" : "FALSE"; return;
    case ValueKind::int64:
    case ValueKind::year: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, end);
      return;
    }
    case ValueKind::uint64:
    case ValueKind::bit: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.u);
      out.append(buf, end);
      return;
    }
    case ValueKind::float32: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v.d));
      std::string_view s(buf, static_cast<size_t>(end - buf));
      out += s;
      if (s.find_first_of(".en") == std::string_view::npos) out += ".0";
      return;
    }
    case ValueKind::float64: append_double(v.d, out); return;
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::bytes:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels:
    case ValueKind::geometry:  // its WKB (or WKT), as CAST(geometry AS BYTES) in Flink
      out += v.text;
      return;
    case ValueKind::date: {
      DateTimeFields f;
      (void)fields_from_value(v, zone, f);  // ignored: a date always has fields
      format_iso_date(f, out);
      return;
    }
    case ValueKind::time: format_iso_time(v.i, v.fsp, out); return;
    case ValueKind::datetime:
    case ValueKind::timestamp: {
      DateTimeFields f;
      (void)fields_from_value(v, zone, f);  // ignored: datetime kinds always have fields
      format_iso_datetime(f, v.fsp, out);
      return;
    }
  }
}

Status cast_value(const EvalContext& ctx, uint32_t offset, const Value& in, const ExprType& to,
                  uint8_t int_bits, Value& out) {
  if (in.is_null() || to.kind == ValueKind::null) {
    out = Value();
    return {};
  }
  const ValueKind from = in.kind;
  switch (to.kind) {
    case ValueKind::boolean: {
      if (from == ValueKind::boolean) {
        out = in;
        return {};
      }
      if (is_numeric_kind(from)) {
        out = Value::boolean(as_double(in) != 0.0);
        return {};
      }
      if (is_text_kind(from)) {
        std::string_view s = trim(in.text);
        if (iequals_ascii(s, "true") || iequals_ascii(s, "t") || iequals_ascii(s, "yes") ||
            s == "1") {
          out = Value::boolean(true);
          return {};
        }
        if (iequals_ascii(s, "false") || iequals_ascii(s, "f") || iequals_ascii(s, "no") ||
            s == "0") {
          out = Value::boolean(false);
          return {};
        }
      }
      return bad_cast(ctx, offset, in, to);
    }
    case ValueKind::int64: {
      int64_t v = 0;
      bool fits = true;
      if (from == ValueKind::int64 || from == ValueKind::year || from == ValueKind::boolean) {
        v = in.i;
      } else if (from == ValueKind::uint64 || from == ValueKind::bit) {
        fits = in.u <= static_cast<uint64_t>(INT64_MAX);
        v = static_cast<int64_t>(in.u);
      } else if (from == ValueKind::float32 || from == ValueKind::float64) {
        // Truncates toward zero, as Java's (long) cast that Flink uses.
        fits = std::isfinite(in.d) && in.d > -9.3e18 && in.d < 9.3e18 &&
               std::trunc(in.d) >= -9223372036854775808.0 &&
               std::trunc(in.d) < 9223372036854775808.0;
        v = fits ? static_cast<int64_t>(std::trunc(in.d)) : 0;
      } else if (from == ValueKind::decimal || is_text_kind(from)) {
        std::string_view s = from == ValueKind::decimal ? in.text : trim(in.text);
        Decimal d;
        if (!Decimal::parse(s, d)) return bad_cast(ctx, offset, in, to);
        fits = d.to_int64(v);
      } else {
        return bad_cast(ctx, offset, in, to);
      }
      if (fits && int_bits != 0 && int_bits < 64) {
        int64_t lim = int64_t{1} << (int_bits - 1);
        fits = v >= -lim && v < lim;
      }
      if (!fits) return overflow(ctx, offset, "value out of range for " + type_name(to), out);
      out = Value::int64(v);
      return {};
    }
    case ValueKind::float64:
    case ValueKind::float32: {
      if (is_numeric_kind(from) || from == ValueKind::boolean) {
        out = Value::float64(as_double(in));
        return {};
      }
      if (is_text_kind(from)) {
        std::string_view s = trim(in.text);
        double d = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
          out = Value::float64(d);
          return {};
        }
      }
      return bad_cast(ctx, offset, in, to);
    }
    case ValueKind::decimal: {
      Decimal d;
      if (from == ValueKind::float32 || from == ValueKind::float64) {
        if (!std::isfinite(in.d)) return bad_cast(ctx, offset, in, to);
        char buf[400];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, in.d, std::chars_format::fixed);
        if (ec != std::errc() || !Decimal::parse(std::string_view(buf, end - buf), d)) {
          return overflow(ctx, offset, "value does not fit " + type_name(to), out);
        }
      } else if (is_text_kind(from)) {
        if (!Decimal::parse(trim(in.text), d)) return bad_cast(ctx, offset, in, to);
      } else if (!as_decimal(in, d)) {
        return bad_cast(ctx, offset, in, to);
      }
      return fit_decimal(ctx, offset, d, to, out);
    }
    case ValueKind::string:
    case ValueKind::bytes:
    case ValueKind::json: {
      if (is_text_kind(from)) {
        out = in;
        out.kind = to.kind;
        out.u = 0;
        return {};
      }
      std::string& s = scratch();
      append_text(in, ctx.zone, s);
      out.kind = to.kind;
      out.text = store_text(ctx, s);
      out.u = 0;
      out.aux = 0;
      return {};
    }
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::timestamp: {
      DateTimeFields f;
      uint8_t fsp = to.fsp;
      if (is_text_kind(from)) {
        if (!parse_iso_datetime(trim(in.text), f)) return bad_cast(ctx, offset, in, to);
      } else if (!fields_from_value(in, ctx.zone, f)) {
        return bad_cast(ctx, offset, in, to);
      }
      if (to.kind == ValueKind::date) {
        out = date_value(f);
      } else if (to.kind == ValueKind::datetime) {
        out = datetime_value(f, fsp);
      } else {
        out = Value::timestamp_micros(timestamp_from_fields(f, ctx.zone), fsp);
      }
      return {};
    }
    case ValueKind::time: {
      if (from == ValueKind::time) {
        out = in;
        return {};
      }
      if (is_text_kind(from)) {
        int64_t micros = 0;
        if (!parse_iso_time(trim(in.text), micros)) return bad_cast(ctx, offset, in, to);
        out = Value::time_micros(micros, to.fsp);
        return {};
      }
      DateTimeFields f;
      if (from == ValueKind::date || !fields_from_value(in, ctx.zone, f)) {
        return bad_cast(ctx, offset, in, to);
      }
      out = Value::time_micros(
          (int64_t{f.hour} * 3600 + f.minute * 60 + f.second) * 1000000 + f.micros, to.fsp);
      return {};
    }
    default: return bad_cast(ctx, offset, in, to);
  }
}

namespace {

__int128 as_int128(const Value& v) {
  if (v.kind == ValueKind::uint64 || v.kind == ValueKind::bit) return static_cast<__int128>(v.u);
  return v.i;
}

int64_t local_micros(const Value& v, const TimeZone& zone) {
  switch (v.kind) {
    case ValueKind::timestamp: return wall_micros(fields_from_timestamp(v.i, zone));
    case ValueKind::date:
      return days_from_civil(v.date_year(), v.date_month(), v.date_day()) * 86400 * 1000000;
    default: {
      DateTimeFields f;
      (void)fields_from_value(v, zone, f);  // ignored: the compiler only lets datetimes here
      return wall_micros(f);
    }
  }
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

namespace {

// The end of the run of ASCII digits that starts at p: eight bytes at a time while eight remain
// (a DECIMAL's text is mostly digits; this is what a filter on one spends its time on).
const char* skip_digits(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t x = w ^ (0x30 * kOnes);  // the digits become bytes 0..9
    // A byte's high bit ends up set when it is 10 or more: its own high bit, or its low seven
    // bits plus 0x76 reaching 0x80 (no carry leaves a byte: 0x7f + 0x76 < 0x100).
    const uint64_t non_digits = (((x & (0x7f * kOnes)) + 0x76 * kOnes) | x) & (0x80 * kOnes);
    if (non_digits != 0) return p + (std::countr_zero(non_digits) >> 3);  // little-endian
    p += 8;
  }
  while (p != end && static_cast<unsigned char>(*p - '0') < 10) ++p;
  return p;
}

}  // namespace

// The texts Decimal::parse accepts: [+-] digits with at most one '.', at least one digit.
// Longer texts go the Decimal way, which orders them the same as long as they fit it.
bool split_decimal_digits(std::string_view s, DecimalDigits& out) {
  constexpr size_t kMaxFastLength = 100;  // aligned, still far inside Decimal's 231 digits
  if (s.size() > kMaxFastLength) return false;
  const char* p = s.data();
  const char* const end = p + s.size();
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  const char* const int_begin = p;
  p = skip_digits(p, end);
  const char* const int_end = p;
  const char* frac_begin = p;
  const char* frac_end = p;
  if (p != end && *p == '.') {
    frac_begin = ++p;
    p = skip_digits(p, end);
    frac_end = p;
  }
  if (p != end || (int_end == int_begin && frac_end == frac_begin)) return false;
  const char* i = int_begin;
  while (i != int_end && *i == '0') ++i;
  while (frac_end != frac_begin && frac_end[-1] == '0') --frac_end;
  out.integer = std::string_view(i, static_cast<size_t>(int_end - i));
  out.fraction = std::string_view(frac_begin, static_cast<size_t>(frac_end - frac_begin));
  out.negative = negative && !(out.integer.empty() && out.fraction.empty());  // -0 is 0
  return true;
}

bool compare_decimal_text(std::string_view a, std::string_view b, int& out) {
  DecimalDigits x, y;
  if (!split_decimal_digits(a, x) || !split_decimal_digits(b, y)) return false;
  out = compare_decimal_digits(x, y);
  return true;
}

int compare_decimal_digits(const DecimalDigits& x, const DecimalDigits& y) {
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  int magnitude = 0;
  if (x.integer.size() != y.integer.size()) {
    magnitude = x.integer.size() < y.integer.size() ? -1 : 1;
  } else if (int c = x.integer.compare(y.integer); c != 0) {
    magnitude = c < 0 ? -1 : 1;
  } else if (int d = x.fraction.compare(y.fraction); d != 0) {
    // Without trailing zeros a shorter fraction that is a prefix of the other is smaller.
    magnitude = d < 0 ? -1 : 1;
  }
  return x.negative ? -magnitude : magnitude;
}

int compare_exact(const Value& a, const Value& b) {
  int c = 0;
  if (a.kind == ValueKind::decimal && b.kind == ValueKind::decimal &&
      compare_decimal_text(a.text, b.text, c)) {
    return c;
  }
  Decimal x, y;
  (void)as_decimal(a, x);  // ignored: the compiler only lets exact numerics here
  (void)as_decimal(b, y);
  return compare(x, y);
}

int compare_values(CompareMode mode, const Value& a, const Value& b, const TimeZone& zone) {
  switch (mode) {
    case CompareMode::integer: return three_way(as_int128(a), as_int128(b));
    case CompareMode::decimal: return compare_exact(a, b);
    case CompareMode::floating: return three_way(as_double(a), as_double(b));
    case CompareMode::text: {
      int c = a.text.compare(b.text);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case CompareMode::boolean: return three_way(a.i, b.i);
    case CompareMode::temporal: return three_way(local_micros(a, zone), local_micros(b, zone));
    case CompareMode::time: return three_way(a.i, b.i);
  }
  return 0;
}

}  // namespace cdc::expr
