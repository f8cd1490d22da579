#include "cdc/mysql/binlog/mysql_json.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/core/json/json_writer.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

namespace {

enum JsonbType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr uint8_t kLiteralNull = 0x00;
constexpr uint8_t kLiteralTrue = 0x01;
constexpr uint8_t kLiteralFalse = 0x02;

Error error_at(Errc code, size_t offset, const std::string& what) {
  return make_error(code, "MySQL JSON: " + what + " at offset " + std::to_string(offset));
}

// A reader's failure, re-based to the document offset `base` of the reader's first byte.
Error reader_error(const ByteReader& r, size_t base, const std::string& what) {
  auto st = r.finish(/*allow_trailing=*/true);
  const Errc code = st ? Errc::truncated : st.error().code;
  return error_at(code, base + r.offset(), what + (st ? "" : " (" + st.error().message + ")"));
}

// json_binary.cc read_variable_length: 1..5 bytes of 7 bits, low group first; the value must
// fit in 32 bits.
bool read_varlen(ByteReader& r, uint32_t& out) {
  uint64_t v = 0;
  for (int i = 0; i < 5; ++i) {
    const uint8_t b = r.u8();
    if (!r.ok()) return false;
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (v > UINT32_MAX) break;
      out = static_cast<uint32_t>(v);
      return true;
    }
  }
  r.mark_malformed("variable-length integer longer than 5 bytes or above 2^32");
  return false;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                       static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// An opaque value as json_dom.cc renders it. DECIMAL: precision, scale and the packed decimal
// (rendered as a bare number); DATE/TIME/DATETIME/TIMESTAMP: MySQL's packed longlong time
// (my_time.cc TIME_to_longlong_*_packed), 8 bytes little-endian, rendered as a quoted string
// with 6 fractional digits; anything else "base64:type<N>:<base64 of the bytes>".
Result<std::string> render_opaque(uint8_t field_type, std::span<const std::byte> data,
                                  size_t base) {
  switch (static_cast<ColumnType>(field_type)) {
    case ColumnType::newdecimal: {
      ByteReader r(data);
      const uint8_t precision = r.u8();
      const uint8_t scale = r.u8();
      if (!r.ok()) return reader_error(r, base, "opaque DECIMAL header");
      Arena arena;
      auto v = decode_decimal(r, precision, scale, arena);
      if (!v) return error_at(v.error().code, base, "opaque DECIMAL: " + v.error().message);
      return std::string(v->text);
    }
    case ColumnType::date:
    case ColumnType::time:
    case ColumnType::datetime:
    case ColumnType::timestamp: {
      ByteReader r(data);
      const int64_t packed = static_cast<int64_t>(r.u64le());
      if (!r.ok()) return reader_error(r, base, "opaque temporal value");
      const bool neg = packed < 0;
      const uint64_t a = neg ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
      const uint64_t frac = a & 0xFFFFFF;
      const uint64_t intpart = a >> 24;
      char buf[64];
      if (field_type == static_cast<uint8_t>(ColumnType::time)) {
        const uint64_t hour = (intpart >> 12) & 0x3FF;
        const uint64_t minute = (intpart >> 6) & 0x3F;
        const uint64_t second = intpart & 0x3F;
        if (minute > 59 || second > 59 || frac > 999999) {
          return error_at(Errc::malformed, base, "opaque TIME out of range");
        }
        std::snprintf(
            buf, sizeof buf, "\"%s%02llu:%02llu:%02llu.%06llu\"", neg ? "-" : "",
            static_cast<unsigned long long>(hour), static_cast<unsigned long long>(minute),
            static_cast<unsigned long long>(second), static_cast<unsigned long long>(frac));
        return std::string(buf);
      }
      const uint64_t ymd = intpart >> 17;
      const uint64_t ym = ymd >> 5;
      const uint64_t hms = intpart & 0x1FFFF;
      const uint64_t day = ymd & 31, month = ym % 13, year = ym / 13;
      const uint64_t second = hms & 63, minute = (hms >> 6) & 63, hour = hms >> 12;
      if (neg || year > 9999 || hour > 23 || minute > 59 || second > 59 || frac > 999999) {
        return error_at(Errc::malformed, base, "opaque DATE/DATETIME out of range");
      }
      if (field_type == static_cast<uint8_t>(ColumnType::date)) {
        std::snprintf(buf, sizeof buf, "\"%04llu-%02llu-%02llu\"",
                      static_cast<unsigned long long>(year), static_cast<unsigned long long>(month),
                      static_cast<unsigned long long>(day));
      } else {
        std::snprintf(buf, sizeof buf, "\"%04llu-%02llu-%02llu %02llu:%02llu:%02llu.%06llu\"",
                      static_cast<unsigned long long>(year), static_cast<unsigned long long>(month),
                      static_cast<unsigned long long>(day), static_cast<unsigned long long>(hour),
                      static_cast<unsigned long long>(minute),
                      static_cast<unsigned long long>(second),
                      static_cast<unsigned long long>(frac));
      }
      return std::string(buf);
    }
    default: break;
  }
  std::string out = "\"base64:type" + std::to_string(field_type) + ":";
  out += base64(as_chars(data));
  out += '"';
  return out;
}

class Parser {
 public:
  explicit Parser(std::span<const std::byte> doc) : doc_(doc) {}

  // A value of `type` whose bytes start at document offset `at` and may extend to `end`.
  Result<MysqlJson> value(uint8_t type, size_t at, size_t end, int depth) {
    ByteReader r(doc_.subspan(at, end - at));
    switch (type) {
      case kSmallObject: return container(at, end, /*large=*/false, /*object=*/true, depth);
      case kLargeObject: return container(at, end, /*large=*/true, /*object=*/true, depth);
      case kSmallArray: return container(at, end, /*large=*/false, /*object=*/false, depth);
      case kLargeArray: return container(at, end, /*large=*/true, /*object=*/false, depth);
      case kLiteral: {
        const uint8_t lit = r.u8();
        if (!r.ok()) return reader_error(r, at, "literal");
        return literal(lit, at);
      }
      case kInt16: {
        const auto v = static_cast<int16_t>(r.u16le());
        if (!r.ok()) return reader_error(r, at, "int16");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kUint16: {
        const uint16_t v = r.u16le();
        if (!r.ok()) return reader_error(r, at, "uint16");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kInt32: {
        const auto v = static_cast<int32_t>(r.u32le());
        if (!r.ok()) return reader_error(r, at, "int32");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kUint32: {
        const uint32_t v = r.u32le();
        if (!r.ok()) return reader_error(r, at, "uint32");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kInt64: {
        const auto v = static_cast<int64_t>(r.u64le());
        if (!r.ok()) return reader_error(r, at, "int64");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kUint64: {
        const uint64_t v = r.u64le();
        if (!r.ok()) return reader_error(r, at, "uint64");
        return MysqlJson::scalar(std::to_string(v));
      }
      case kDouble: {
        const double d = std::bit_cast<double>(r.u64le());
        if (!r.ok()) return reader_error(r, at, "double");
        if (!std::isfinite(d)) return error_at(Errc::malformed, at, "non-finite double");
        return MysqlJson::scalar(format_mysql_json_double(d));
      }
      case kString: {
        uint32_t len = 0;
        if (!read_varlen(r, len)) return reader_error(r, at, "string length");
        const auto s = r.string(len);
        if (!r.ok()) return reader_error(r, at, "string of " + std::to_string(len) + " bytes");
        // utf8mb4 by definition; anything else is corruption, and would make the rendered
        // document (and every envelope embedding it) invalid JSON.
        if (!json::is_valid_utf8(s))
          return error_at(Errc::malformed, at, "string is not valid UTF-8");
        std::string out;
        append_mysql_json_string(s, out);
        return MysqlJson::scalar(std::move(out));
      }
      case kOpaque: {
        const uint8_t field_type = r.u8();
        uint32_t len = 0;
        if (!r.ok() || !read_varlen(r, len)) return reader_error(r, at, "opaque header");
        const size_t data_at = at + r.offset();
        const auto data = r.bytes(len);
        if (!r.ok())
          return reader_error(r, at, "opaque value of " + std::to_string(len) + " bytes");
        CDC_TRY_ASSIGN(auto token, render_opaque(field_type, data, data_at));
        return MysqlJson::scalar(std::move(token));
      }
      default: break;
    }
    return error_at(Errc::malformed, at, "unknown value type 0x" + hex(type));
  }

 private:
  static std::string hex(uint8_t b) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", b);
    return buf;
  }

  static Result<MysqlJson> literal(uint8_t lit, size_t at) {
    switch (lit) {
      case kLiteralNull: return MysqlJson::scalar("null");
      case kLiteralTrue: return MysqlJson::scalar("true");
      case kLiteralFalse: return MysqlJson::scalar("false");
      default: return error_at(Errc::malformed, at, "unknown literal 0x" + hex(lit));
    }
  }

  // json_binary.cc parse_array_or_object + Value::element/key, with every offset checked
  // against the container's declared size, and that size against the bytes there are.
  // `depth` counts the containers around this one.
  Result<MysqlJson> container(size_t at, size_t end, bool large, bool object, int depth) {
    if (depth + 1 > kMysqlJsonMaxDepth) {
      return error_at(Errc::malformed, at,
                      "nesting deeper than " + std::to_string(kMysqlJsonMaxDepth) + " levels");
    }
    const size_t off_size = large ? 4 : 2;
    ByteReader r(doc_.subspan(at, end - at));
    const uint64_t count = r.uint_le(off_size);
    const uint64_t size = r.uint_le(off_size);
    const char* what = object ? "object" : "array";
    if (!r.ok()) return reader_error(r, at, std::string(what) + " header");
    if (size > end - at) {
      return error_at(Errc::truncated, at,
                      std::string(what) + " of " + std::to_string(size) + " bytes with " +
                          std::to_string(end - at) + " left");
    }
    const uint64_t key_entry = object ? off_size + 2 : 0;
    const uint64_t value_entry = 1 + off_size;
    const uint64_t header = 2 * off_size + count * (key_entry + value_entry);
    if (header > size) {
      return error_at(Errc::malformed, at,
                      std::string(what) + " of " + std::to_string(count) +
                          " elements does not fit its size " + std::to_string(size));
    }
    const size_t cend = at + static_cast<size_t>(size);
    MysqlJson out;
    out.kind = object ? MysqlJson::Kind::object : MysqlJson::Kind::array;
    if (object) {
      out.members.reserve(static_cast<size_t>(count));
    } else {
      out.elements.reserve(static_cast<size_t>(count));
    }
    ByteReader keys(doc_.subspan(at + 2 * off_size, static_cast<size_t>(count * key_entry)));
    ByteReader values(doc_.subspan(at + 2 * off_size + static_cast<size_t>(count * key_entry),
                                   static_cast<size_t>(count * value_entry)));
    for (uint64_t elem_idx = 0; elem_idx < count; ++elem_idx) {
      std::string key;
      if (object) {
        const size_t entry_at = at + 2 * off_size + keys.offset();
        const uint64_t key_off = keys.uint_le(off_size);
        const uint64_t key_len = keys.u16le();
        if (key_off < header || key_off + key_len > size) {
          return error_at(Errc::malformed, entry_at,
                          "key " + std::to_string(elem_idx) + " at " + std::to_string(key_off) +
                              "+" + std::to_string(key_len) + " outside its object of " +
                              std::to_string(size) + " bytes");
        }
        key = std::string(as_chars(
            doc_.subspan(at + static_cast<size_t>(key_off), static_cast<size_t>(key_len))));
        if (!json::is_valid_utf8(key)) {
          return error_at(Errc::malformed, entry_at,
                          "key " + std::to_string(elem_idx) + " is not valid UTF-8");
        }
      }
      const size_t entry_at =
          at + 2 * off_size + static_cast<size_t>(count * key_entry) + values.offset();
      const uint8_t type = values.u8();
      const uint64_t inline_or_off = values.uint_le(off_size);
      CDC_CHECK(values.ok(), "entries were bounded by the header check");
      Result<MysqlJson> v = MysqlJson{};
      switch (type) {
        case kLiteral: v = literal(static_cast<uint8_t>(inline_or_off), entry_at + 1); break;
        case kInt16:
          v = MysqlJson::scalar(std::to_string(static_cast<int16_t>(inline_or_off)));
          break;
        case kUint16:
          v = MysqlJson::scalar(std::to_string(static_cast<uint16_t>(inline_or_off)));
          break;
        case kInt32:
        case kUint32:
          if (large) {
            v = type == kInt32
                    ? MysqlJson::scalar(std::to_string(static_cast<int32_t>(inline_or_off)))
                    : MysqlJson::scalar(std::to_string(static_cast<uint32_t>(inline_or_off)));
            break;
          }
          [[fallthrough]];
        default:
          if (inline_or_off < header || inline_or_off >= size) {
            return error_at(Errc::malformed, entry_at,
                            "value " + std::to_string(elem_idx) + " at offset " +
                                std::to_string(inline_or_off) + " outside its " + what + " of " +
                                std::to_string(size) + " bytes");
          }
          v = value(type, at + static_cast<size_t>(inline_or_off), cend, depth + 1);
          break;
      }
      if (!v) return std::move(v).error();
      if (object) {
        out.members.push_back(MysqlJsonMember{std::move(key), std::move(*v)});
      } else {
        out.elements.push_back(std::move(*v));
      }
    }
    return out;
  }

  std::span<const std::byte> doc_;  // borrowed for the duration of one parse
};

}  // namespace

void append_mysql_json_string(std::string_view s, std::string& out) {
  // json_dom.cc double_quote(): the two-character escapes, \u00XX for other control
  // characters, everything else (incl. '/' and non-ASCII UTF-8) as is.
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[static_cast<unsigned char>(c) >> 4];
          out += kHex[static_cast<unsigned char>(c) & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string format_mysql_json_double(double d) {
  // json_dom.cc prints a double with my_gcvt(MY_GCVT_ARG_DOUBLE): the shortest digits that
  // read back as the same double (dtoa mode 0 within the field width), in fixed notation when
  // the decimal exponent is in [-3, 15) (MAX_DECPT_FOR_F_FORMAT = DBL_DIG), else as d.ddde[-]N;
  // MySQL 8 then appends ".0" when the text would read back as an integer.
  char sci[64];
  const auto res = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
  std::string_view s(sci, static_cast<size_t>(res.ptr - sci));
  std::string out;
  if (!s.empty() && s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const size_t e = s.find('e');
  std::string digits;
  for (const char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp10);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int decpt = exp10 + 1;  // digits are 0.d1d2... * 10^decpt
  if (decpt < -3 || decpt > 15) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += std::to_string(decpt - 1);
    return out;
  }
  if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(decpt) - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<size_t>(decpt));
  }
  return out;
}

void render_mysql_json(const MysqlJson& json, std::string& out) {
  switch (json.kind) {
    case MysqlJson::Kind::scalar: out += json.token; return;
    case MysqlJson::Kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : json.members) {
        if (!first) out += ", ";
        first = false;
        append_mysql_json_string(key, out);
        out += ": ";
        render_mysql_json(value, out);
      }
      out += '}';
      return;
    }
    case MysqlJson::Kind::array: {
      out += '[';
      bool first = true;
      for (const auto& value : json.elements) {
        if (!first) out += ", ";
        first = false;
        render_mysql_json(value, out);
      }
      out += ']';
      return;
    }
  }
}

std::string render_mysql_json(const MysqlJson& json) {
  std::string out;
  render_mysql_json(json, out);
  return out;
}

Result<MysqlJson> parse_mysql_json(std::span<const std::byte> doc) {
  if (doc.empty()) return MysqlJson::scalar("null");
  const auto type = static_cast<uint8_t>(doc[0]);
  Parser p(doc);
  return p.value(type, 1, doc.size(), 0);
}

Result<std::string> decode_mysql_json(std::span<const std::byte> doc) {
  CDC_TRY_ASSIGN(auto json, parse_mysql_json(doc));
  return render_mysql_json(json);
}

}  // namespace cdc::mysql
