#include "sinks/redis/value_text.h"

#include <charconv>
#include <cmath>

#include "cdc/core/json/value_json.h"

namespace cdc::sinks::redis {

namespace {
template <class T>
void append_number(std::string& out, T x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}
}  // namespace

void append_value_text(const Value& v, std::string& out) {
  switch (v.kind) {
    case ValueKind::null: return;
    case ValueKind::boolean: out += v.i != 0 ? "true" : "false"; return;
    case ValueKind::int64:
    case ValueKind::year: append_number(out, v.i); return;
    case ValueKind::uint64:
    case ValueKind::bit: append_number(out, v.u); return;
    case ValueKind::float32:
    case ValueKind::float64:
      if (std::isnan(v.d)) {
        out += "NaN";
      } else if (std::isinf(v.d)) {
        out += v.d > 0 ? "Infinity" : "-Infinity";
      } else if (v.kind == ValueKind::float32) {
        append_number(out, static_cast<float>(v.d));  // shortest text that reads back as the float
      } else {
        append_number(out, v.d);
      }
      return;
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::bytes:
    case ValueKind::geometry:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels: out += v.text; return;
    case ValueKind::date: json::append_date(out, v.i); return;
    case ValueKind::time: json::append_time(out, v.i, v.fsp); return;
    case ValueKind::datetime: json::append_datetime(out, v.i, v.aux, v.fsp, ' '); return;
    case ValueKind::timestamp: json::append_timestamp(out, v.i, v.fsp, 'T', true); return;
  }
}

}  // namespace cdc::sinks::redis
