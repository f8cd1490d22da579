#include "cdc/mysql/snapshot/snapshot_values.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cdc/core/byte_reader.h"
#include "cdc/core/json/value_json.h"
#include "cdc/core/text.h"
#include "cdc/core/wkb_to_wkt.h"
#include "cdc/mysql/binlog/charset.h"

namespace cdc::mysql {

namespace {

// The type's name: the first word of the catalog's COLUMN_TYPE ("int(11) unsigned" -> "int").
std::string type_name(const Column& c) {
  std::string name;
  for (char ch : c.source_type) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') break;
    name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return name;
}

bool is_geometry(std::string_view name) {
  return name == "geometry" || name == "point" || name == "linestring" || name == "polygon" ||
         name == "multipoint" || name == "multilinestring" || name == "multipolygon" ||
         name == "geometrycollection";
}

// MariaDB's data type plugins: the binlog carries their stored bytes (TABLE_MAP names no
// plugin), so the snapshot reads those bytes too.
std::optional<int> plugin_bytes(std::string_view name) {
  if (name == "uuid" || name == "inet6") return 16;
  if (name == "inet4") return 4;
  return std::nullopt;
}

// The column's character set as the decoder converts it (column_decoder.cpp string_value):
// nullptr (an unknown one) and binary give bytes.
const Charset* text_charset(const Column& c) {
  const Charset* cs = charset_named(c.charset);
  return cs == nullptr || is_binary(*cs) ? nullptr : cs;
}

// Key text in the column's own charset needs no conversion back from UTF-8 for these.
bool utf8_compatible(const Column& c) {
  const Charset* cs = text_charset(c);
  return cs != nullptr && (cs->name == "utf8mb4" || cs->name == "utf8mb3" || cs->name == "ascii");
}

Error bad(const Column& c, std::string_view text) {
  std::string shown(text.substr(0, 40));
  return make_error(Errc::malformed, "column " + c.name + " (" + c.source_type +
                                         "): the server's text '" + shown +
                                         "' is not a value of its type");
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "ddd" digits at s[pos..pos+n), advancing pos.
bool digits(std::string_view s, size_t& pos, size_t n, uint32_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    const char ch = s[pos + i];
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + static_cast<uint32_t>(ch - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char ch) {
  if (pos >= s.size() || s[pos] != ch) return false;
  ++pos;
  return true;
}

// ".ffffff" (optional): microseconds.
bool fraction(std::string_view s, size_t& pos, uint32_t& micros) {
  micros = 0;
  if (pos == s.size()) return true;
  if (!expect(s, pos, '.')) return false;
  size_t n = 0;
  for (; pos < s.size() && n < 6; ++pos, ++n) {
    if (s[pos] < '0' || s[pos] > '9') return false;
    micros = micros * 10 + static_cast<uint32_t>(s[pos] - '0');
  }
  for (; n < 6; ++n) micros *= 10;
  return pos == s.size();
}

struct DateTimeParts {
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
};

// "YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss[.ffffff]".
bool parse_datetime(std::string_view s, bool with_time, DateTimeParts& p) {
  size_t pos = 0;
  if (!digits(s, pos, 4, p.year) || !expect(s, pos, '-') || !digits(s, pos, 2, p.month) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, p.day)) {
    return false;
  }
  if (!with_time) return pos == s.size();
  return expect(s, pos, ' ') && digits(s, pos, 2, p.hour) && expect(s, pos, ':') &&
         digits(s, pos, 2, p.minute) && expect(s, pos, ':') && digits(s, pos, 2, p.second) &&
         fraction(s, pos, p.micros);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "[-]h+:mm:ss[.ffffff]" -> signed microseconds.
bool parse_time(std::string_view s, int64_t& micros) {
  size_t pos = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) ++pos;
  uint64_t hours = 0;
  size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    hours = hours * 10 + static_cast<uint64_t>(s[pos] - '0');
    ++pos;
  }
  uint32_t minute = 0, second = 0, frac = 0;
  if (pos == start || pos - start > 4 || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, second) || !fraction(s, pos, frac)) {
    return false;
  }
  const int64_t total =
      ((static_cast<int64_t>(hours) * 60 + minute) * 60 + second) * 1000000 + frac;
  micros = neg ? -total : total;
  return true;
}

std::string hex_literal(std::string_view bytes) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out = "X'";
  for (unsigned char ch : bytes) {
    out.push_back(kDigits[ch >> 4]);
    out.push_back(kDigits[ch & 15]);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char ch : name) {
    if (ch == '`') out.push_back('`');
    out.push_back(ch);
  }
  out.push_back('`');
  return out;
}

std::string select_expression(const Column& column) {
  const std::string q = quote_identifier(column.name);
  const std::string name = type_name(column);
  if (is_geometry(name)) return q;  // the stored form: SRID then WKB, as in the binlog
  if (auto n = plugin_bytes(name)) return "CAST(" + q + " AS BINARY(" + std::to_string(*n) + "))";
  switch (column.kind) {
    // The server prints FLOAT with 6 significant digits; as DOUBLE it prints the widened
    // float exactly (17 digits), which narrows back to the stored float.
    case ValueKind::float32: return "CAST(" + q + " AS DOUBLE)";
    // "<index or bitmap>,<labels as stored>": information_schema (utf8mb3) cannot spell every
    // label of a utf8mb4 ENUM, the binlog's TABLE_MAP can; the stored text can too.
    case ValueKind::enum_label:
    case ValueKind::set_labels: return "CONCAT(" + q + "+0, ',', CAST(" + q + " AS BINARY))";
    case ValueKind::string:
    case ValueKind::json: return "CAST(" + q + " AS BINARY)";
    default: return q;
  }
}

TextColumn text_column(const Column& column) {
  TextColumn out;
  out.column = &column;
  const std::string name = type_name(column);
  out.shape = is_geometry(name)    ? TextColumn::Shape::geometry
              : plugin_bytes(name) ? TextColumn::Shape::plugin_bytes
                                   : TextColumn::Shape::by_kind;
  out.charset = text_charset(column);
  return out;
}

Result<Value> value_from_text(const TextColumn& plan, std::optional<std::string_view> text,
                              bool geometry_wkt, InvalidText on_invalid, Arena& arena) {
  if (!text) return Value();
  const Column& column = *plan.column;
  const std::string_view s = *text;
  if (plan.shape == TextColumn::Shape::geometry) {
    if (s.size() < 4) return bad(column, s);
    ByteReader srid_reader(s.substr(0, 4));
    const uint32_t srid = srid_reader.u32le();
    if (!geometry_wkt) return Value::geometry(arena.copy(s.substr(4)), srid);
    std::string wkt;
    if (Status st = wkb_to_wkt(s.substr(4), wkt); !st) {
      return make_error(st.error().code,
                        "GEOMETRY column `" + column.name + "`: " + st.error().message);
    }
    return Value::geometry_wkt(arena.copy(wkt), srid);
  }
  if (plan.shape == TextColumn::Shape::plugin_bytes) return Value::bytes(arena.copy(s));
  switch (column.kind) {
    case ValueKind::boolean:
    case ValueKind::int64: {
      int64_t v = 0;
      if (!parse_number(s, v)) return bad(column, s);
      return Value::int64(v);
    }
    case ValueKind::uint64: {
      uint64_t v = 0;
      if (!parse_number(s, v)) return bad(column, s);
      return Value::uint64(v);
    }
    case ValueKind::float32:
    case ValueKind::float64: {
      // from_chars rounds as strtod does (correctly), without a NUL-terminated copy.
      double d = 0;
      if (!parse_number(s, d)) return bad(column, s);
      return column.kind == ValueKind::float32 ? Value::float32(static_cast<float>(d))
                                               : Value::float64(d);
    }
    case ValueKind::decimal: return Value::decimal(arena.copy(s), column.scale);
    case ValueKind::year: {
      int64_t v = 0;
      if (!parse_number(s, v)) return bad(column, s);
      return Value::year_value(v);
    }
    case ValueKind::date: {
      DateTimeParts p;
      if (!parse_datetime(s, false, p)) return bad(column, s);
      return Value::date(static_cast<int32_t>(p.year), p.month, p.day);
    }
    case ValueKind::time: {
      int64_t micros = 0;
      if (!parse_time(s, micros)) return bad(column, s);
      return Value::time_micros(micros, column.fsp);
    }
    case ValueKind::datetime: {
      DateTimeParts p;
      if (!parse_datetime(s, true, p)) return bad(column, s);
      return Value::datetime(static_cast<int32_t>(p.year), p.month, p.day, p.hour, p.minute,
                             p.second, p.micros, column.fsp);
    }
    case ValueKind::timestamp: {
      // The session's time zone is UTC (MysqlChunkReader): the text is the UTC time.
      DateTimeParts p;
      if (!parse_datetime(s, true, p)) return bad(column, s);
      if (p.year == 0 && p.month == 0 && p.day == 0) {
        // The zero timestamp, as the decoder gives it (column_decoder.cpp zero_timestamp).
        return Value::datetime(0, 0, 0, 0, 0, 0, 0, column.fsp);
      }
      const int64_t seconds = days_from_civil(p.year, p.month, p.day) * 86400 +
                              int64_t{p.hour} * 3600 + int64_t{p.minute} * 60 + p.second;
      return Value::timestamp_micros(seconds * 1000000 + p.micros, column.fsp);
    }
    case ValueKind::bit: {
      // The text protocol sends BIT as its bytes, big-endian.
      if (s.size() > 8) return bad(column, s);
      uint64_t bits = 0;
      for (unsigned char ch : s) bits = (bits << 8) | ch;
      return Value::bit(bits, column.length);
    }
    case ValueKind::enum_label:
    case ValueKind::set_labels: {
      const size_t comma = s.find(',');
      if (comma == std::string_view::npos) return bad(column, s);
      const std::string_view number = s.substr(0, comma);
      const std::string_view stored = s.substr(comma + 1);
      std::string_view label = arena.copy(stored);
      if (const Charset* cs = plan.charset) {
        CDC_TRY_ASSIGN(label, to_utf8(stored, *cs, on_invalid, arena));
      }
      if (column.kind == ValueKind::enum_label) {
        uint64_t index = 0;
        if (!parse_number(number, index)) return bad(column, s);
        if (index == 0) return Value::enum_label("", 0);  // MySQL's "invalid value" member
        return Value::enum_label(label, index);
      }
      uint64_t bits = 0;
      if (!parse_number(number, bits)) {
        // MariaDB prints a 64-member SET with the top bit as a negative BIGINT.
        int64_t signed_bits = 0;
        if (!parse_number(number, signed_bits)) return bad(column, s);
        bits = static_cast<uint64_t>(signed_bits);
      }
      return Value::set_labels(label, bits);
    }
    case ValueKind::json:
    case ValueKind::string: {
      const Charset* cs = plan.charset;
      if (cs == nullptr) return Value::bytes(arena.copy(s));
      auto utf8 = to_utf8(s, *cs, on_invalid, arena);
      if (!utf8) return std::move(utf8).error().with_context("column " + column.name);
      return column.kind == ValueKind::json ? Value::json(*utf8) : Value::string(*utf8);
    }
    case ValueKind::bytes: return Value::bytes(arena.copy(s));
    default:
      return make_error(Errc::unsupported, "column " + column.name + " (" + column.source_type +
                                               "): a snapshot cannot read values of kind " +
                                               std::string(to_string(column.kind)));
  }
}

Result<std::string> sql_literal(const Column& column, const Value& v) {
  std::string out;
  switch (v.kind) {
    case ValueKind::boolean:
    case ValueKind::int64:
    case ValueKind::year: return std::to_string(v.i);
    case ValueKind::uint64:
    case ValueKind::bit:
    case ValueKind::enum_label: return std::to_string(v.u);  // ENUM compares by its index
    case ValueKind::decimal: return std::string(v.text);
    case ValueKind::float32:
    case ValueKind::float64: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v.d);
      return std::string(buf);
    }
    // In the column's own character set, so that the server compares in the column's
    // collation and keeps using the key's index (a utf8mb4 literal would convert a utf8mb3
    // column instead). Other charsets' text was converted to UTF-8 and is refused here.
    case ValueKind::string:
      if (!utf8_compatible(column)) {
        return make_error(Errc::unsupported,
                          "key column " + column.name + " (" + column.source_type + ", " +
                              column.charset +
                              "): a snapshot chunks text keys of utf8mb4, utf8mb3 and ascii only");
      }
      return "_" + column.charset + " " + hex_literal(v.text);
    // UUID/INET6/INET4 compare with a binary string of their length as their stored form.
    case ValueKind::bytes: return hex_literal(v.text);
    case ValueKind::date: json::append_date(out, v.i); break;
    case ValueKind::time: json::append_time(out, v.i, 6); break;
    case ValueKind::datetime: json::append_datetime(out, v.i, v.aux, 6, ' '); break;
    case ValueKind::timestamp: json::append_timestamp(out, v.i, 6, ' ', false); break;
    default:
      return make_error(Errc::unsupported, "key column " + column.name + " (" + column.source_type +
                                               "): a snapshot cannot chunk by values of kind " +
                                               std::string(to_string(v.kind)));
  }
  return "'" + out + "'";
}

}  // namespace cdc::mysql
