#include "cdc/postgres/snapshot/pg_key_text.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "cdc/core/civil_date.h"

namespace cdc::postgres {

namespace {

// Year y of the proleptic Gregorian calendar as PostgreSQL prints it: astronomical year 0 is
// 1 BC (pg_text_value reads "N BC" as 1 - N).
void append_date(std::string& out, int64_t year, int64_t month, int64_t day) {
  char buf[48];
  const bool bc = year <= 0;
  std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, bc ? 1 - year : year,
                month, day);
  out += buf;
  if (bc) out += " BC";
}

// With the `fsp` fraction digits PostgreSQL printed (the Value keeps them), so that the text
// reads back as the same Value.
void append_time(std::string& out, int64_t micros, uint8_t fsp) {
  char buf[48];
  const int64_t s = micros / 1'000'000;
  std::snprintf(buf, sizeof buf, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600, s / 60 % 60,
                s % 60);
  out += buf;
  if (fsp == 0) return;
  std::snprintf(buf, sizeof buf, ".%06" PRId64, micros % 1'000'000);
  out.append(buf, 1 + std::min<size_t>(fsp, 6));
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Result<std::string> pg_key_text(const Column& column, const Value& v) {
  std::string out;
  char buf[64];
  switch (v.kind) {
    case ValueKind::boolean: return std::string(v.i != 0 ? "t" : "f");
    case ValueKind::int64: return std::to_string(v.i);
    case ValueKind::uint64: return std::to_string(v.u);
    case ValueKind::float32: std::snprintf(buf, sizeof buf, "%.9g", v.d); return std::string(buf);
    case ValueKind::float64: std::snprintf(buf, sizeof buf, "%.17g", v.d); return std::string(buf);
    case ValueKind::string:
      // An interval's Value is its ISO 8601 rendering, not PostgreSQL's text.
      if (column.source_type.starts_with("interval")) break;
      return std::string(v.text);
    case ValueKind::decimal:
    case ValueKind::enum_label: return std::string(v.text);
    case ValueKind::bytes: {
      static constexpr char kHex[] = "0123456789abcdef";
      out = "\\x";
      for (const char c : v.text) {
        out += kHex[static_cast<unsigned char>(c) >> 4];
        out += kHex[static_cast<unsigned char>(c) & 15];
      }
      return out;
    }
    case ValueKind::date: {
      const int64_t ymd = v.i < 0 ? -v.i : v.i;
      const int64_t year = (v.i < 0 ? -1 : 1) * (ymd / 10000);
      append_date(out, year, ymd / 100 % 100, ymd % 100);
      return out;
    }
    case ValueKind::time: append_time(out, v.i, v.fsp); return out;
    case ValueKind::datetime: {
      const int64_t all = v.i < 0 ? -v.i : v.i;
      const int64_t ymd = all / 1'000'000, hms = all % 1'000'000;
      append_date(out, (v.i < 0 ? -1 : 1) * (ymd / 10000), ymd / 100 % 100, ymd % 100);
      // The time goes before " BC": PostgreSQL reads "0044-03-15 12:00:00 BC".
      std::string time;
      append_time(time,
                  (hms / 10000 * 3600 + hms / 100 % 100 * 60 + hms % 100) * 1'000'000 +
                      static_cast<int64_t>(v.aux),
                  v.fsp);
      const bool bc = out.ends_with(" BC");
      if (bc) out.resize(out.size() - 3);
      out += " " + time + (bc ? " BC" : "");
      return out;
    }
    case ValueKind::timestamp: {
      const int64_t days = floor_div(v.i, 86'400'000'000);
      const CivilDate date = civil_from_days(days);
      append_date(out, date.year, date.month, date.day);
      std::string time;
      append_time(time, v.i - days * 86'400'000'000, v.fsp);
      const bool bc = out.ends_with(" BC");
      if (bc) out.resize(out.size() - 3);
      out += " " + time + "+00" + (bc ? " BC" : "");
      return out;
    }
    case ValueKind::bit:
      for (uint32_t i = v.aux; i > 0; --i) out += ((v.u >> (i - 1)) & 1) != 0 ? '1' : '0';
      return out;
    default: break;
  }
  return make_error(Errc::unsupported,
                    "key column " + column.name + " (" + column.source_type + ", a " +
                        std::string(to_string(v.kind)) +
                        " value) cannot be written back for a keyset chunk: the snapshot cannot "
                        "continue after a key of this type");
}

}  // namespace cdc::postgres
