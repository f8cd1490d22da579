// Value: one column value of a row, a compact tagged union (32 bytes, trivially copyable).
// Text-like payloads (decimal digits, strings, bytes, JSON, enum/set labels) are views into
// the owning Batch's Arena: a Value is valid only as long as that arena.
#pragma once

#include <cstdint>
#include <string_view>

namespace cdc {

enum class ValueKind : uint8_t {
  null,
  boolean,     // i: 0/1
  int64,       // i
  uint64,      // u
  float32,     // d (the float widened; rendered with float precision)
  float64,     // d
  decimal,     // text: exact digits "-123.4500" (never through a double); aux: scale
  string,      // text: valid UTF-8 (converted from the column charset by the decoder)
  bytes,       // text: raw bytes (BINARY/VARBINARY/BLOB, or text of an unknown charset)
  date,        // i: YYYYMMDD as an integer (zero parts allowed: 0 = '0000-00-00'); negative = BC
  time,        // i: signed microseconds (-838:59:59.000000 .. 838:59:59.000000 and beyond)
  datetime,    // i: YYYYMMDDhhmmss as an integer, aux: microseconds. No zone.
  timestamp,   // i: microseconds since the Unix epoch, UTC
  json,        // text: JSON text
  bit,         // u: the bits; aux: bit width (1..64)
  enum_label,  // text: the label ("" for MySQL's invalid-value 0); u: 1-based index
  set_labels,  // text: labels joined by ','; u: the member bitmap
  year,        // i: 1901..2155, or 0
  geometry,    // text: the OGC WKB (no SRID prefix), or its WKT when fsp == kGeometryWkt
               // (source option geometry.format: wkt); aux: the SRID (0 when none was given)
};

std::string_view to_string(ValueKind kind);

// Whether a Value of this kind holds its payload in `text` (a view into the batch's arena).
constexpr bool has_text(ValueKind kind) {
  switch (kind) {
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::bytes:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels:
    case ValueKind::geometry: return true;
    default: return false;
  }
}

struct Value {
  ValueKind kind = ValueKind::null;
  // Fractional-second digits (0..6) of time/datetime/timestamp columns: renderers print exactly
  // this many digits, as the source does. For geometry: the text's format (kGeometryWkb/Wkt).
  uint8_t fsp = 0;
  uint16_t reserved = 0;
  uint32_t aux = 0;
  union {
    int64_t i;
    uint64_t u;
    double d;
  };
  std::string_view text;

  Value() : i(0) {}

  static Value null_value() { return Value(); }
  static Value boolean(bool b) {
    Value v;
    v.kind = ValueKind::boolean;
    v.i = b ? 1 : 0;
    return v;
  }
  static Value int64(int64_t x) {
    Value v;
    v.kind = ValueKind::int64;
    v.i = x;
    return v;
  }
  static Value uint64(uint64_t x) {
    Value v;
    v.kind = ValueKind::uint64;
    v.u = x;
    return v;
  }
  static Value float32(float x) {
    Value v;
    v.kind = ValueKind::float32;
    v.d = x;
    return v;
  }
  static Value float64(double x) {
    Value v;
    v.kind = ValueKind::float64;
    v.d = x;
    return v;
  }
  static Value decimal(std::string_view digits, uint32_t scale) {
    Value v;
    v.kind = ValueKind::decimal;
    v.text = digits;
    v.aux = scale;
    return v;
  }
  static Value string(std::string_view s) {
    Value v;
    v.kind = ValueKind::string;
    v.text = s;
    return v;
  }
  static Value bytes(std::string_view b) {
    Value v;
    v.kind = ValueKind::bytes;
    v.text = b;
    return v;
  }
  static Value json(std::string_view j) {
    Value v;
    v.kind = ValueKind::json;
    v.text = j;
    return v;
  }
  // year 0..9999 (or negative for BC), month 0..12, day 0..31: zero parts are kept, not fixed.
  static Value date(int32_t year, uint32_t month, uint32_t day) {
    Value v;
    v.kind = ValueKind::date;
    v.i = (year < 0 ? -1 : 1) *
          (static_cast<int64_t>(year < 0 ? -year : year) * 10000 + month * 100 + day);
    return v;
  }
  static Value time_micros(int64_t micros, uint8_t fsp) {
    Value v;
    v.kind = ValueKind::time;
    v.i = micros;
    v.fsp = fsp;
    return v;
  }
  static Value datetime(int32_t year, uint32_t month, uint32_t day, uint32_t hour, uint32_t minute,
                        uint32_t second, uint32_t micros, uint8_t fsp) {
    Value v;
    v.kind = ValueKind::datetime;
    v.i = ((static_cast<int64_t>(year) * 10000 + month * 100 + day) * 1000000) + hour * 10000 +
          minute * 100 + second;
    v.aux = micros;
    v.fsp = fsp;
    return v;
  }
  static Value timestamp_micros(int64_t micros, uint8_t fsp) {
    Value v;
    v.kind = ValueKind::timestamp;
    v.i = micros;
    v.fsp = fsp;
    return v;
  }
  static Value bit(uint64_t bits, uint32_t width) {
    Value v;
    v.kind = ValueKind::bit;
    v.u = bits;
    v.aux = width;
    return v;
  }
  static Value enum_label(std::string_view label, uint64_t index) {
    Value v;
    v.kind = ValueKind::enum_label;
    v.text = label;
    v.u = index;
    return v;
  }
  static Value set_labels(std::string_view joined, uint64_t bitmap) {
    Value v;
    v.kind = ValueKind::set_labels;
    v.text = joined;
    v.u = bitmap;
    return v;
  }
  static Value year_value(int64_t y) {
    Value v;
    v.kind = ValueKind::year;
    v.i = y;
    return v;
  }
  static constexpr uint8_t kGeometryWkb = 0;
  static constexpr uint8_t kGeometryWkt = 1;
  static Value geometry(std::string_view wkb, uint32_t srid) {
    Value v;
    v.kind = ValueKind::geometry;
    v.text = wkb;
    v.aux = srid;
    return v;
  }
  static Value geometry_wkt(std::string_view wkt, uint32_t srid) {
    Value v = geometry(wkt, srid);
    v.fsp = kGeometryWkt;
    return v;
  }
  bool is_wkt() const { return kind == ValueKind::geometry && fsp == kGeometryWkt; }

  bool is_null() const { return kind == ValueKind::null; }

  // Components of date/datetime values.
  int32_t date_year() const;
  uint32_t date_month() const;
  uint32_t date_day() const;
  uint32_t dt_hour() const;  // datetime only
  uint32_t dt_minute() const;
  uint32_t dt_second() const;
};

static_assert(sizeof(Value) == 32, "Value must stay compact");

// Exact equality of kind and payload (used by tests and by "unchanged column" detection).
bool operator==(const Value& a, const Value& b);

}  // namespace cdc
