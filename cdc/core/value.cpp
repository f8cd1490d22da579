#include "cdc/core/value.h"

#include <cstdlib>

namespace cdc {

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return "boolean";
    case ValueKind::int64: return "int64";
    case ValueKind::uint64: return "uint64";
    case ValueKind::float32: return "float32";
    case ValueKind::float64: return "float64";
    case ValueKind::decimal: return "decimal";
    case ValueKind::string: return "string";
    case ValueKind::bytes: return "bytes";
    case ValueKind::date: return "date";
    case ValueKind::time: return "time";
    case ValueKind::datetime: return "datetime";
    case ValueKind::timestamp: return "timestamp";
    case ValueKind::json: return "json";
    case ValueKind::bit: return "bit";
    case ValueKind::enum_label: return "enum";
    case ValueKind::set_labels: return "set";
    case ValueKind::year: return "year";
    case ValueKind::geometry: return "geometry";
  }
  return "unknown";
}

namespace {
int64_t date_part(const Value& v) { return v.kind == ValueKind::datetime ? v.i / 1000000 : v.i; }
int64_t time_part(const Value& v) { return v.kind == ValueKind::datetime ? v.i % 1000000 : 0; }
}  // namespace

int32_t Value::date_year() const {
  const int64_t d = date_part(*this);
  return static_cast<int32_t>(d / 10000);
}
uint32_t Value::date_month() const {
  return static_cast<uint32_t>(std::llabs(date_part(*this)) / 100 % 100);
}
uint32_t Value::date_day() const {
  return static_cast<uint32_t>(std::llabs(date_part(*this)) % 100);
}
uint32_t Value::dt_hour() const { return static_cast<uint32_t>(time_part(*this) / 10000); }
uint32_t Value::dt_minute() const { return static_cast<uint32_t>(time_part(*this) / 100 % 100); }
uint32_t Value::dt_second() const { return static_cast<uint32_t>(time_part(*this) % 100); }

bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::null: return true;
    case ValueKind::float32:
    case ValueKind::float64: return a.d == b.d;
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::bytes:
    case ValueKind::json:
    case ValueKind::geometry: return a.text == b.text && a.aux == b.aux && a.fsp == b.fsp;
    case ValueKind::enum_label:
    case ValueKind::set_labels: return a.text == b.text && a.u == b.u;
    default: return a.i == b.i && a.aux == b.aux && a.fsp == b.fsp;
  }
}

}  // namespace cdc
