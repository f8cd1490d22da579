#include "cdc/core/json/value_json.h"

#include <cmath>
#include <string_view>

#include "cdc/core/civil_date.h"

namespace cdc::json {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Appends v (>= 0) with at least `width` digits, zero padded.
void append_padded(std::string& out, uint64_t v, int width) {
  char buf[24];
  char* p = buf + sizeof(buf);
  char* const min_start = buf + sizeof(buf) - width;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (p > min_start) *--p = '0';
  out.append(p, buf + sizeof(buf) - p);
}

// ".ffffff" cut to fsp digits (none when fsp is 0). Digits are truncated, as MySQL prints them.
void append_fraction(std::string& out, uint64_t micros, uint8_t fsp) {
  if (fsp == 0) return;
  if (fsp > 6) fsp = 6;
  char digits[6];
  uint64_t m = micros % kMicrosPerSecond;
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + m % 10);
    m /= 10;
  }
  out.push_back('.');
  out.append(digits, fsp);
}

uint64_t magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

void append_ymd(std::string& out, bool negative, uint64_t year, uint64_t month, uint64_t day) {
  if (negative) out.push_back('-');
  append_padded(out, year, 4);
  out.push_back('-');
  append_padded(out, month, 2);
  out.push_back('-');
  append_padded(out, day, 2);
}

void append_hms(std::string& out, uint64_t h, uint64_t m, uint64_t s) {
  append_padded(out, h, 2);
  out.push_back(':');
  append_padded(out, m, 2);
  out.push_back(':');
  append_padded(out, s, 2);
}

// Appends a quoted value whose text `fn(out)` produces (known ASCII, nothing to escape).
template <class Fn>
void quoted(JsonWriter& w, Fn&& fn) {
  std::string& out = w.begin_raw_value();
  out.push_back('"');
  fn(out);
  out.push_back('"');
}

void write_bits_base64(JsonWriter& w, const Value& v) {
  char buf[8];
  const size_t n = bit_bytes(v.u, v.aux, buf);
  w.base64(std::string_view(buf, n));
}

}  // namespace

void append_date(std::string& out, int64_t yyyymmdd) {
  const uint64_t a = magnitude(yyyymmdd);
  append_ymd(out, yyyymmdd < 0, a / 10000, a / 100 % 100, a % 100);
}

void append_time(std::string& out, int64_t micros, uint8_t fsp) {
  const uint64_t a = magnitude(micros);
  if (micros < 0) out.push_back('-');
  const uint64_t secs = a / kMicrosPerSecond;
  append_hms(out, secs / 3600, secs / 60 % 60, secs % 60);
  append_fraction(out, a, fsp);
}

void append_datetime(std::string& out, int64_t yyyymmddhhmmss, uint32_t micros, uint8_t fsp,
                     char sep) {
  const uint64_t a = magnitude(yyyymmddhhmmss);
  const uint64_t date = a / 1000000;
  const uint64_t time = a % 1000000;
  append_ymd(out, yyyymmddhhmmss < 0, date / 10000, date / 100 % 100, date % 100);
  out.push_back(sep);
  append_hms(out, time / 10000, time / 100 % 100, time % 100);
  append_fraction(out, micros, fsp);
}

void append_timestamp(std::string& out, int64_t epoch_micros, uint8_t fsp, char sep, bool zulu) {
  int64_t days = epoch_micros / kMicrosPerDay;
  int64_t rem = epoch_micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  append_ymd(out, date.year < 0, magnitude(date.year), date.month, date.day);
  out.push_back(sep);
  const auto secs = static_cast<uint64_t>(rem / kMicrosPerSecond);
  append_hms(out, secs / 3600, secs / 60 % 60, secs % 60);
  append_fraction(out, static_cast<uint64_t>(rem), fsp);
  if (zulu) out.push_back('Z');
}

size_t bit_bytes(uint64_t bits, uint32_t width, char (&buf)[8]) {
  size_t n = (width + 7) / 8;
  if (n == 0) n = 1;
  if (n > 8) n = 8;
  for (size_t i = 0; i < n; ++i) buf[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
  return n;
}

void write_value(JsonWriter& w, const Value& v) {
  switch (v.kind) {
    case ValueKind::null: w.null(); return;
    case ValueKind::boolean: w.boolean(v.i != 0); return;
    case ValueKind::int64: w.int64(v.i); return;
    case ValueKind::uint64: w.uint64(v.u); return;
    case ValueKind::float32: w.float32(static_cast<float>(v.d)); return;
    case ValueKind::float64: w.float64(v.d); return;
    case ValueKind::decimal: w.string(v.text); return;
    case ValueKind::string:
    case ValueKind::enum_label:
    case ValueKind::set_labels: w.string(v.text); return;
    case ValueKind::bytes: w.base64(v.text); return;
    case ValueKind::json: w.raw_json(v.text); return;
    case ValueKind::year: w.int64(v.i); return;
    case ValueKind::geometry:
      w.begin_object();
      if (v.is_wkt()) {
        w.key_ascii("wkt");
        w.string(v.text);
      } else {
        w.key_ascii("wkb");
        w.base64(v.text);
      }
      w.key_ascii("srid");
      w.uint64(v.aux);
      w.end_object();
      return;
    case ValueKind::date: quoted(w, [&](std::string& o) { append_date(o, v.i); }); return;
    case ValueKind::time: quoted(w, [&](std::string& o) { append_time(o, v.i, v.fsp); }); return;
    case ValueKind::datetime:
      quoted(w, [&](std::string& o) { append_datetime(o, v.i, v.aux, v.fsp, 'T'); });
      return;
    case ValueKind::timestamp:
      quoted(w, [&](std::string& o) { append_timestamp(o, v.i, v.fsp, 'T', true); });
      return;
    case ValueKind::bit:
      if (v.aux <= 1) {
        w.boolean((v.u & 1) != 0);
      } else {
        write_bits_base64(w, v);
      }
      return;
  }
  w.null();  // unknown kind: never emit invalid output
}

void write_value_as_text(JsonWriter& w, const Value& v) {
  switch (v.kind) {
    case ValueKind::null: w.null(); return;
    case ValueKind::boolean: w.string_ascii(v.i != 0 ? "true" : "false"); return;
    case ValueKind::int64: quoted(w, [&](std::string& o) { append_int(o, v.i); }); return;
    case ValueKind::uint64: quoted(w, [&](std::string& o) { append_uint(o, v.u); }); return;
    case ValueKind::float32:
    case ValueKind::float64: {
      if (std::isnan(v.d)) {
        w.string_ascii("NaN");
      } else if (std::isinf(v.d)) {
        w.string_ascii(v.d > 0 ? "Infinity" : "-Infinity");
      } else if (v.kind == ValueKind::float32) {
        quoted(w, [&](std::string& o) { append_float(o, static_cast<float>(v.d)); });
      } else {
        quoted(w, [&](std::string& o) { append_double(o, v.d); });
      }
      return;
    }
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::enum_label:
    case ValueKind::set_labels:
    case ValueKind::json: w.string(v.text); return;
    case ValueKind::bytes: w.base64(v.text); return;
    case ValueKind::geometry:
      if (v.is_wkt()) {
        w.string(v.text);
      } else {
        w.base64(v.text);
      }
      return;
    case ValueKind::year:
      quoted(w, [&](std::string& o) { append_padded(o, magnitude(v.i), 4); });
      return;
    case ValueKind::date: quoted(w, [&](std::string& o) { append_date(o, v.i); }); return;
    case ValueKind::time: quoted(w, [&](std::string& o) { append_time(o, v.i, v.fsp); }); return;
    case ValueKind::datetime:
      quoted(w, [&](std::string& o) { append_datetime(o, v.i, v.aux, v.fsp, ' '); });
      return;
    case ValueKind::timestamp:
      quoted(w, [&](std::string& o) { append_timestamp(o, v.i, v.fsp, ' ', false); });
      return;
    case ValueKind::bit: quoted(w, [&](std::string& o) { append_uint(o, v.u); }); return;
  }
  w.null();
}

}  // namespace cdc::json
