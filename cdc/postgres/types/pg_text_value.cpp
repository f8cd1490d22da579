#include <charconv>
#include <cmath>
#include <cstring>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/text.h"
#include "cdc/postgres/types/pg_datetime_text.h"
#include "cdc/postgres/types/pg_json_text.h"
#include "cdc/postgres/types/pg_scalar_text.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

namespace {

// The OGC WKB of a point, little-endian: what Debezium's io.debezium.data.geometry.Point
// carries in its `wkb` field.
std::string_view point_wkb(double x, double y, Arena& arena) {
  char* p = static_cast<char*>(arena.allocate(21, 1));
  p[0] = 1;                 // NDR (little-endian)
  const uint32_t type = 1;  // Point
  std::memcpy(p + 1, &type, 4);
  std::memcpy(p + 5, &x, 8);
  std::memcpy(p + 13, &y, 8);
  return {p, 21};
}

Result<Value> infinite(const PgTypeRegistry& registry, std::string_view text) {
  if (registry.options().temporal_infinity == TemporalInfinity::null) return Value::null_value();
  return make_error(Errc::unsupported,
                    "'" + std::string(text) +
                        "' has no date or time value in sluice (temporal.infinity.handling: "
                        "null makes it NULL)");
}

// An integer of at most 18 digits (which cannot overflow int64) within [min, max], as
// parse_pg_int reads it: an optional '-', then digits only. Anything else is left to it.
bool fast_int(std::string_view text, int64_t min, int64_t max, int64_t& out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  if (p == end || end - p > 18) return false;
  int64_t v = 0;
  for (; p != end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p) - '0';
    if (digit > 9) return false;
    v = v * 10 + digit;
  }
  out = negative ? -v : v;
  return out >= min && out <= max;
}

// A finite float as parse_float reads it (from_chars takes "nan" and "inf" too: those, and
// PostgreSQL's NaN and Infinity, are left to it).
template <class F>
bool fast_float(std::string_view text, F& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && p == end && std::isfinite(out);
}

Result<Value> convert(const PgTypeRegistry& registry, const PgResolved& type, std::string_view text,
                      Arena& arena) {
  switch (type.cls) {
    case PgClass::boolean: {
      CDC_TRY_ASSIGN(const bool b, parse_pg_bool(text));
      return Value::boolean(b);
    }
    case PgClass::int2:
    case PgClass::int4:
    case PgClass::int8:
    case PgClass::oid: {
      const auto [min, max] = pg_int_bounds(type.cls);
      CDC_TRY_ASSIGN(const int64_t v, parse_pg_int(text, min, max));
      return Value::int64(v);
    }
    case PgClass::float4: {
      CDC_TRY_ASSIGN(const float f, parse_pg_float4(text));
      return Value::float32(f);
    }
    case PgClass::float8: {
      CDC_TRY_ASSIGN(const double d, parse_pg_float8(text));
      return Value::float64(d);
    }
    case PgClass::numeric: {
      CDC_TRY_ASSIGN(const PgNumeric n, parse_pg_numeric(text));
      switch (registry.options().decimal_handling) {
        case DecimalHandling::string: return Value::string(arena.copy(text));
        case DecimalHandling::double_: {
          if (n.special == PgNumeric::Special::nan) return Value::float64(std::nan(""));
          if (n.special == PgNumeric::Special::infinity) return Value::float64(HUGE_VAL);
          if (n.special == PgNumeric::Special::minus_infinity) return Value::float64(-HUGE_VAL);
          double d = 0;
          const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
          if (r.ec == std::errc::result_out_of_range) {
            return make_error(Errc::unsupported, "beyond the range of a double");
          }
          return Value::float64(d);
        }
        case DecimalHandling::precise:
          if (n.special != PgNumeric::Special::none) {
            return make_error(Errc::unsupported,
                              "numeric " + std::string(text) +
                                  " cannot be a decimal (decimal.handling.mode: string or "
                                  "double keeps it)");
          }
          return Value::decimal(arena.copy(text), n.scale);
      }
      break;
    }
    case PgClass::money: {
      std::string digits;
      uint32_t scale = 0;
      CDC_TRY(parse_pg_money(text, digits, scale));
      return Value::decimal(arena.copy(digits), scale);
    }
    case PgClass::bytea: {
      std::string bytes;
      CDC_TRY(parse_pg_bytea(text, bytes));
      return Value::bytes(arena.copy(bytes));
    }
    case PgClass::date: {
      CDC_TRY_ASSIGN(const PgDate d, parse_pg_date(text));
      if (d.infinity != PgInfinity::none) return infinite(registry, text);
      return Value::date(static_cast<int32_t>(d.year), d.month, d.day);
    }
    case PgClass::time: {
      CDC_TRY_ASSIGN(const PgTime t, parse_pg_time(text));
      return Value::time_micros(t.micros, t.fsp);
    }
    case PgClass::timetz: {
      CDC_TRY_ASSIGN(const PgTimestamp t, parse_pg_timetz(text));
      std::string out(text.substr(0, text.find_first_of("+-")));
      append_utc_offset(out, t.offset_seconds);
      return Value::string(arena.copy(out));
    }
    case PgClass::timestamp: {
      CDC_TRY_ASSIGN(const PgTimestamp ts, parse_pg_timestamp(text, false));
      if (ts.infinity != PgInfinity::none) return infinite(registry, text);
      const int64_t seconds = ts.time.micros / 1'000'000;
      const int64_t hms = seconds / 3600 * 10000 + seconds / 60 % 60 * 100 + seconds % 60;
      const int64_t ymd = (ts.date.year < 0 ? -ts.date.year : ts.date.year) * 10000 +
                          ts.date.month * 100 + ts.date.day;
      Value v = Value::datetime(0, 0, 0, 0, 0, 0, static_cast<uint32_t>(ts.time.micros % 1'000'000),
                                ts.time.fsp);
      v.i = (ts.date.year < 0 ? -1 : 1) * (ymd * 1'000'000 + hms);
      return v;
    }
    case PgClass::timestamptz: {
      CDC_TRY_ASSIGN(const PgTimestamp ts, parse_pg_timestamp(text, true));
      if (ts.infinity != PgInfinity::none) return infinite(registry, text);
      CDC_TRY_ASSIGN(const int64_t micros, pg_epoch_micros(ts));
      return Value::timestamp_micros(micros, ts.time.fsp);
    }
    case PgClass::interval: {
      CDC_TRY_ASSIGN(const PgInterval iv, parse_pg_interval(text));
      std::string out;
      append_iso8601_interval(out, iv);
      return Value::string(arena.copy(out));
    }
    case PgClass::json:
    case PgClass::jsonb:
      CDC_TRY(check_pg_text(registry, type, text));
      return Value::json(arena.copy(text));
    case PgClass::array:
    case PgClass::composite: {
      std::string out;
      CDC_TRY(append_pg_json(registry, type.info->oid, type.typmod, text, out));
      return Value::json(arena.copy(out));
    }
    case PgClass::enumeration: {
      const auto& labels = type.info->enum_labels;
      for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] == text) return Value::enum_label(arena.copy(text), i + 1);
      }
      CDC_TRY(check_pg_text(registry, type, text));  // the error naming the label
      break;
    }
    case PgClass::bit:
      CDC_TRY(check_pg_text(registry, type, text));
      if (type.typmod >= 1 && type.typmod <= 64) {
        uint64_t bits = 0;
        for (char c : text) bits = bits << 1 | static_cast<uint64_t>(c == '1');
        return Value::bit(bits, static_cast<uint32_t>(type.typmod));
      }
      return Value::string(arena.copy(text));
    case PgClass::point: {
      CDC_TRY_ASSIGN(const auto xy, parse_pg_point(text));
      return Value::geometry(point_wkb(xy.first, xy.second, arena), 0);
    }
    case PgClass::text:
    case PgClass::uuid:
    case PgClass::xml:
    case PgClass::range:
    case PgClass::multirange:
    case PgClass::inet:
    case PgClass::cidr:
    case PgClass::macaddr:
    case PgClass::macaddr8:
    case PgClass::varbit:
    case PgClass::geometric:
    case PgClass::other:
      CDC_TRY(check_pg_text(registry, type, text));
      return Value::string(arena.copy(text));
  }
  return make_error(Errc::internal, "unhandled type class");
}

}  // namespace

bool pg_text_value_fast(const PgTypeRegistry& registry, const PgResolved& type,
                        std::string_view text, Arena& arena, Value& out) {
  switch (type.cls) {
    case PgClass::boolean:
      if (text != "t" && text != "f") return false;
      out = Value::boolean(text == "t");
      return true;
    case PgClass::int2:
    case PgClass::int4:
    case PgClass::int8:
    case PgClass::oid: {
      const auto [min, max] = pg_int_bounds(type.cls);
      int64_t v = 0;
      if (!fast_int(text, min, max, v)) return false;
      out = Value::int64(v);
      return true;
    }
    case PgClass::float4: {
      float f = 0;
      if (!fast_float(text, f)) return false;
      out = Value::float32(f);
      return true;
    }
    case PgClass::float8: {
      double d = 0;
      if (!fast_float(text, d)) return false;
      out = Value::float64(d);
      return true;
    }
    case PgClass::numeric: {
      if (registry.options().decimal_handling != DecimalHandling::precise) return false;
      const auto n = parse_pg_numeric(text);
      if (!n || n->special != PgNumeric::Special::none) return false;
      out = Value::decimal(arena.copy(text), n->scale);
      return true;
    }
    case PgClass::date: {
      const auto d = parse_pg_date(text);
      if (!d || d->infinity != PgInfinity::none) return false;
      out = Value::date(static_cast<int32_t>(d->year), d->month, d->day);
      return true;
    }
    case PgClass::timestamptz: {
      const auto ts = parse_pg_timestamp(text, true);
      if (!ts || ts->infinity != PgInfinity::none) return false;
      const auto micros = pg_epoch_micros(*ts);
      if (!micros) return false;
      out = Value::timestamp_micros(*micros, ts->time.fsp);
      return true;
    }
    case PgClass::json:
    case PgClass::jsonb:
      if (!json::is_valid_json(text)) return false;
      out = Value::json(arena.copy(text));
      return true;
    case PgClass::uuid:
      if (!is_pg_uuid(text)) return false;
      out = Value::string(arena.copy(text));
      return true;
    case PgClass::text:
    case PgClass::xml:
    case PgClass::other:
      if (invalid_utf8_offset(text) != std::string_view::npos) return false;
      out = Value::string(arena.copy(text));
      return true;
    default: return false;
  }
}

Result<Value> pg_text_value(const PgTypeRegistry& registry, const Column& column, uint32_t type_oid,
                            int32_t typmod, std::string_view text, Arena& arena) {
  auto type = resolve_pg_type(registry, type_oid, typmod);
  if (!type) {
    return std::move(type).error().with_context("column " + column.name + " (" +
                                                column.source_type + ")");
  }
  return pg_text_value(registry, column, *type, text, arena);
}

Result<Value> pg_text_value(const PgTypeRegistry& registry, const Column& column,
                            const PgResolved& type, std::string_view text, Arena& arena) {
  Result<Value> v = convert(registry, type, text, arena);
  if (!v) {
    return std::move(v).error().with_context("column " + column.name + " (" + column.source_type +
                                             ")");
  }
  return v;
}

}  // namespace cdc::postgres
