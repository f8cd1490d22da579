#include "cdc/mysql/binlog/column_decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "cdc/core/wkb_to_wkt.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/mysql_json.h"

namespace cdc::mysql {

namespace {

constexpr int kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
// "00" "01" ... "99": DECIMAL text is written two digits per division.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> a{};
  for (int i = 0; i < 100; ++i) {
    a[2 * i] = static_cast<char>('0' + i / 10);
    a[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return a;
}();
constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

constexpr std::array<uint64_t, 20> kPow10_64 = [] {
  std::array<uint64_t, 20> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

// The `n` lowest decimal digits of `v` at o[0..n), zero-padded on the left.
inline void put_digits(char* o, uint64_t v, uint32_t n) {
  for (; n >= 2; n -= 2, v /= 100) std::memcpy(o + n - 2, kDigitPairs.data() + 2 * (v % 100), 2);
  if (n == 1) o[0] = static_cast<char>('0' + v % 10);
}

Status bad_fsp(uint8_t fsp) {
  if (fsp > 6)
    return make_error(Errc::malformed, "fractional-second precision " + std::to_string(fsp));
  return {};
}

// Fractional part of TIME2/DATETIME2/TIMESTAMP2 in microseconds (big-endian, 0..3 bytes).
int64_t read_frac(ByteReader& r, uint8_t fsp, bool is_signed) {
  switch (fsp) {
    case 1:
    case 2: {
      const uint8_t b = r.u8();
      return (is_signed ? static_cast<int8_t>(b) : static_cast<int64_t>(b)) * 10000;
    }
    case 3:
    case 4: {
      const uint16_t b = r.u16be();
      return (is_signed ? static_cast<int16_t>(b) : static_cast<int64_t>(b)) * 100;
    }
    case 5:
    case 6: {
      const uint32_t b = r.u24be();
      if (!is_signed) return b;
      return (b & 0x800000) ? static_cast<int64_t>(b) - 0x1000000 : b;
    }
    default: return 0;
  }
}

bool is_bytes(const ColumnDecodeInfo& col) { return !col.charset || is_binary(*col.charset); }

Result<Value> string_value(std::string_view raw, const ColumnDecodeInfo& col, Arena& arena) {
  if (is_bytes(col)) return Value::bytes(arena.copy(raw));
  CDC_TRY_ASSIGN(auto s, to_utf8(raw, *col.charset, col.on_invalid, arena));
  return col.json_text ? Value::json(s) : Value::string(s);
}

std::string column_label(const ColumnDecodeInfo& col) {
  return col.name.empty() ? std::string("VECTOR column")
                          : "VECTOR column `" + std::string(col.name) + "`";
}

// MySQL 9 VECTOR: the value is dims * 4 bytes of little-endian IEEE float32 (sql/field.h
// Field_vector; the binlog carries it like a BLOB, meta = the length prefix's byte count). It
// renders as a JSON array of shortest round-trip float32 numbers ("[1.5,2,-0.25]"), as the
// server's VECTOR_TO_STRING does up to its float formatting. The server rejects NaN and
// infinities on insert; JSON has no spelling for them, so one in the binlog is malformed.
Result<Value> vector_value(std::span<const std::byte> raw, const ColumnDecodeInfo& col,
                           Arena& arena) {
  if (raw.size() % 4 != 0) {
    return make_error(Errc::malformed, column_label(col) + ": " + std::to_string(raw.size()) +
                                           " bytes is not a whole number of float32 values");
  }
  // 15 bytes fit the longest float32 ("-1.1754944e-38"), plus a separator.
  auto* out = static_cast<char*>(arena.allocate(2 + raw.size() / 4 * 16, 1));
  size_t n = 0;
  out[n++] = '[';
  for (size_t i = 0; i < raw.size(); i += 4) {
    uint32_t bits = 0;
    for (size_t b = 0; b < 4; ++b) bits |= std::to_integer<uint32_t>(raw[i + b]) << (8 * b);
    const float f = std::bit_cast<float>(bits);
    if (!std::isfinite(f)) {
      return make_error(Errc::malformed, column_label(col) + ": element " + std::to_string(i / 4) +
                                             " is " + (std::isnan(f) ? "NaN" : "infinite") +
                                             " (not representable in JSON)");
    }
    if (i != 0) out[n++] = ',';
    const auto res = std::to_chars(out + n, out + n + 15, f);
    n = static_cast<size_t>(res.ptr - out);
  }
  out[n++] = ']';
  return Value::json({out, n});
}

Result<Value> enum_value(uint64_t index, const ColumnDecodeInfo& col) {
  if (index == 0) return Value::enum_label("", 0);  // MySQL's "invalid value" member
  if (col.labels.empty()) {
    return make_error(Errc::unsupported,
                      "ENUM column without labels in TABLE_MAP (set binlog_row_metadata=FULL)");
  }
  if (index > col.labels.size()) {
    return make_error(Errc::malformed, "ENUM index " + std::to_string(index) + " of " +
                                           std::to_string(col.labels.size()) + " labels");
  }
  return Value::enum_label(col.labels[index - 1], index);
}

Result<Value> set_value(uint64_t bits, const ColumnDecodeInfo& col, Arena& arena) {
  if (bits != 0 && col.labels.empty()) {
    return make_error(Errc::unsupported,
                      "SET column without labels in TABLE_MAP (set binlog_row_metadata=FULL)");
  }
  size_t len = 0;
  for (size_t i = 0; i < 64; ++i) {
    if (!(bits >> i & 1)) continue;
    if (i >= col.labels.size()) {
      return make_error(Errc::malformed, "SET bit " + std::to_string(i) + " of " +
                                             std::to_string(col.labels.size()) + " labels");
    }
    len += col.labels[i].size() + (len ? 1 : 0);
  }
  if (len == 0) return Value::set_labels("", bits);
  auto* out = static_cast<char*>(arena.allocate(len, 1));
  size_t o = 0;
  for (size_t i = 0; i < col.labels.size() && i < 64; ++i) {
    if (!(bits >> i & 1)) continue;
    if (o) out[o++] = ',';
    std::memcpy(out + o, col.labels[i].data(), col.labels[i].size());
    o += col.labels[i].size();
  }
  return Value::set_labels({out, len}, bits);
}

// Big-endian value of the n (1..4) bytes at p: a DECIMAL digit group inside a copy whose size
// the group layout gave (decimal_groups), so there is nothing left to bound-check here; a
// ByteReader per group read was a third of the short path's instructions.
inline uint32_t group_be(const std::byte* p, int n) {
  const auto b = [p](int i) { return static_cast<uint32_t>(p[i]); };
  switch (n) {
    case 1: return b(0);
    case 2: return b(0) << 8 | b(1);
    case 3: return b(0) << 16 | b(1) << 8 | b(2);
    default: return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
  }
}

// A DECIMAL whose integer part and fraction each have at most 18 digits (DECIMAL(36,18) and
// every narrower one, i.e. nearly all of them): each part is read as one number and printed
// once, a third of the digit-by-digit path's work in the catch-up profile. `groups` holds the
// value's bytes (decimal_binary_size of it) with the sign bit cleared and, for a negative
// value, inverted. False: a digit group out of range.
bool short_decimal(const std::byte* groups, uint32_t intg, uint32_t scale, bool negative,
                   Arena& arena, Value& out) {
  bool ok = true;
  auto take = [&](uint64_t& part, uint32_t ndigits) {
    const int nbytes = ndigits == 9 ? 4 : kDig2Bytes[ndigits];
    const uint32_t v = group_be(groups, nbytes);
    groups += nbytes;
    ok &= v < kPow10[ndigits];
    part = part * kPow10[ndigits] + v;
  };
  uint64_t int_part = 0;
  uint64_t frac_part = 0;
  if (intg % 9) take(int_part, intg % 9);
  for (uint32_t g = 0; g < intg / 9; ++g) take(int_part, 9);
  for (uint32_t g = 0; g < scale / 9; ++g) take(frac_part, 9);
  if (scale % 9) take(frac_part, scale % 9);
  if (!ok) return false;
  // Written straight into the arena, two digits per step: a stack buffer and its copy, and a
  // division per fraction digit, were half of this function in the catch-up profile.
  const bool minus = negative && (int_part | frac_part) != 0;  // no "-0"
  // Digits of int_part (< 10^18): from its bit width, then one comparison.
  const auto guess = static_cast<uint32_t>((std::bit_width(int_part) * 1233) >> 12);
  const uint32_t int_digits = std::max<uint32_t>(1, guess + (int_part >= kPow10_64[guess]));
  const size_t len = (minus ? 1 : 0) + int_digits + (scale ? 1 + scale : 0);
  char* const text = static_cast<char*>(arena.allocate(len, 1));
  char* o = text;
  if (minus) *o++ = '-';
  put_digits(o, int_part, int_digits);
  o += int_digits;
  if (scale) {
    *o++ = '.';
    put_digits(o, frac_part, scale);
  }
  out = Value::decimal(std::string_view(text, len), scale);
  return true;
}

// The value's bytes, sign bit cleared and a negative value inverted, into `buf` (40 bytes).
// False when the reader runs out; `negative` says which sign it had.
bool decimal_groups(ByteReader& r, size_t size, std::byte* buf, bool& negative) {
  const auto raw = r.bytes(size);
  if (!r.ok()) return false;
  negative = (raw[0] & std::byte{0x80}) == std::byte{0};
  // One pass, no memcpy call for these few bytes: copy, inverted when negative.
  const std::byte invert = negative ? std::byte{0xFF} : std::byte{0};
  for (size_t i = 0; i < size; ++i) buf[i] = raw[i] ^ invert;
  buf[0] ^= std::byte{0x80};
  return true;
}

}  // namespace

size_t decimal_binary_size(uint32_t precision, uint32_t scale) {
  const uint32_t intg = precision - scale;
  return (intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9];
}

// strings/decimal.c bin2decimal: groups of 9 digits in 4 big-endian bytes, a partial group in
// the fewest bytes, the sign in the top bit of the first byte (set = positive), negative
// numbers stored with every byte inverted.
Result<Value> decode_decimal(ByteReader& r, uint32_t precision, uint32_t scale, Arena& arena) {
  if (precision == 0 || precision > 65 || scale > 30 || scale > precision) {
    return make_error(Errc::malformed,
                      "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")");
  }
  const size_t size = decimal_binary_size(precision, scale);
  std::byte buf[40];
  bool negative = false;
  if (!decimal_groups(r, size, buf, negative)) return r.finish().error();
  // Exactly the value's bytes: the group reads below cannot run past them.
  ByteReader groups(std::span<const std::byte>(buf, size));
  const uint32_t intg = precision - scale;
  if (intg <= 18 && scale <= 18) {
    Value v;
    if (!short_decimal(buf, intg, scale, negative, arena, v)) {
      return make_error(Errc::malformed, "DECIMAL digit group out of range");
    }
    return v;
  }
  char digits[80];
  size_t nd = 0;
  auto put_group = [&](uint64_t v, uint32_t ndigits) -> bool {
    if (v >= kPow10[ndigits]) return false;
    put_digits(digits + nd, v, ndigits);
    nd += ndigits;
    return true;
  };
  bool ok = true;
  if (intg % 9) ok &= put_group(groups.uint_be(kDig2Bytes[intg % 9]), intg % 9);
  for (uint32_t g = 0; g < intg / 9; ++g) ok &= put_group(groups.u32be(), 9);
  const size_t int_digits = nd;
  for (uint32_t g = 0; g < scale / 9; ++g) ok &= put_group(groups.u32be(), 9);
  if (scale % 9) ok &= put_group(groups.uint_be(kDig2Bytes[scale % 9]), scale % 9);
  if (!ok) return make_error(Errc::malformed, "DECIMAL digit group out of range");

  size_t lead = 0;
  while (lead + 1 < int_digits && digits[lead] == '0') ++lead;
  bool all_zero = true;
  for (size_t i = 0; i < nd; ++i) all_zero &= digits[i] == '0';
  const size_t int_len = int_digits == 0 ? 1 : int_digits - lead;
  const size_t len = (negative && !all_zero ? 1 : 0) + int_len + (scale ? 1 + scale : 0);
  auto* out = static_cast<char*>(arena.allocate(len, 1));
  size_t o = 0;
  if (negative && !all_zero) out[o++] = '-';
  if (int_digits == 0) {
    out[o++] = '0';
  } else {
    std::memcpy(out + o, digits + lead, int_len);
    o += int_len;
  }
  if (scale) {
    out[o++] = '.';
    std::memcpy(out + o, digits + int_digits, scale);
  }
  return Value::decimal({out, len}, scale);
}

bool read_short_decimal(ByteReader& r, uint32_t intg, uint32_t scale, Arena& arena, Value& out) {
  const size_t size =
      (intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9];
  std::byte buf[40];
  bool negative = false;
  if (!decimal_groups(r, size, buf, negative)) return false;
  return short_decimal(buf, intg, scale, negative, arena, out);
}

// sql-common/my_time.cc my_time_packed_from_binary: 3 bytes of hours/minutes/seconds biased by
// 0x800000, then 0..3 bytes of fraction; negative values borrow from the integer part.
Result<Value> decode_time2(ByteReader& r, uint8_t fsp) {
  CDC_TRY(bad_fsp(fsp));
  int64_t packed = 0;
  switch (fsp) {
    case 0: packed = (static_cast<int64_t>(r.u24be()) - 0x800000) << 24; break;
    case 1:
    case 2: {
      int64_t intpart = static_cast<int64_t>(r.u24be()) - 0x800000;
      int64_t frac = r.u8();
      if (intpart < 0 && frac) {
        ++intpart;
        frac -= 0x100;
      }
      packed = intpart * (int64_t{1} << 24) + frac * 10000;
      break;
    }
    case 3:
    case 4: {
      int64_t intpart = static_cast<int64_t>(r.u24be()) - 0x800000;
      int64_t frac = r.u16be();
      if (intpart < 0 && frac) {
        ++intpart;
        frac -= 0x10000;
      }
      packed = intpart * (int64_t{1} << 24) + frac * 100;
      break;
    }
    default: packed = static_cast<int64_t>(r.uint_be(6)) - 0x800000000000LL; break;
  }
  if (!r.ok()) return r.finish().error();
  const bool neg = packed < 0;
  const uint64_t a = neg ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
  const uint64_t hms = a >> 24;
  const uint64_t micros = a & 0xFFFFFF;
  const uint64_t hour = (hms >> 12) & 0x3FF;
  const uint64_t minute = (hms >> 6) & 0x3F;
  const uint64_t second = hms & 0x3F;
  if (minute > 59 || second > 59 || micros > 999999) {
    return make_error(Errc::malformed, "TIME2 out of range");
  }
  const int64_t total =
      static_cast<int64_t>(((hour * 60 + minute) * 60 + second) * 1000000 + micros);
  return Value::time_micros(neg ? -total : total, fsp);
}

Result<Value> decode_datetime2(ByteReader& r, uint8_t fsp) {
  CDC_TRY(bad_fsp(fsp));
  Value v;
  if (read_datetime2(r, fsp, v)) return v;
  if (!r.ok()) return r.finish().error();
  return make_error(Errc::malformed, "DATETIME2 out of range");
}

bool read_datetime2(ByteReader& r, uint8_t fsp, Value& out) {
  const int64_t intpart = static_cast<int64_t>(r.uint_be(5)) - 0x8000000000LL;
  const int64_t frac = read_frac(r, fsp, /*is_signed=*/true);
  if (!r.ok() || intpart < 0 || frac < 0 || frac > 999999) return false;
  const uint64_t ymd = static_cast<uint64_t>(intpart) >> 17;
  const uint64_t ym = ymd >> 5;
  const uint64_t hms = static_cast<uint64_t>(intpart) & 0x1FFFF;
  const uint32_t day = ymd & 31, month = ym % 13, year = static_cast<uint32_t>(ym / 13);
  const uint32_t second = hms & 63, minute = (hms >> 6) & 63,
                 hour = static_cast<uint32_t>(hms >> 12);
  if (year > 9999 || hour > 23 || minute > 59 || second > 59) return false;
  out = Value::datetime(static_cast<int32_t>(year), month, day, hour, minute, second,
                        static_cast<uint32_t>(frac), fsp);
  return true;
}

// The server stores TIMESTAMP '0000-00-00 00:00:00' (allowed without NO_ZERO_DATE) as 0
// seconds; 1970-01-01 00:00:00 UTC itself is out of TIMESTAMP's range (it starts at 00:00:01),
// so 0 always means the zero value. It becomes the zero DATETIME, which renders as the server
// prints it ("0000-00-00 00:00:00"), not as the epoch.
namespace {
Value zero_timestamp(uint8_t fsp) { return Value::datetime(0, 0, 0, 0, 0, 0, 0, fsp); }
}  // namespace

Result<Value> decode_timestamp2(ByteReader& r, uint8_t fsp) {
  CDC_TRY(bad_fsp(fsp));
  Value v;
  if (read_timestamp2(r, fsp, v)) return v;
  if (!r.ok()) return r.finish().error();
  return make_error(Errc::malformed, "TIMESTAMP2 fraction out of range");
}

bool read_timestamp2(ByteReader& r, uint8_t fsp, Value& out) {
  const uint64_t seconds = r.u32be();
  const int64_t frac = read_frac(r, fsp, /*is_signed=*/false);
  if (!r.ok() || frac > 999999) return false;
  out = seconds == 0 && frac == 0
            ? zero_timestamp(fsp)
            : Value::timestamp_micros(static_cast<int64_t>(seconds) * 1000000 + frac, fsp);
  return true;
}

Result<Value> decode_column(ByteReader& r, const ColumnDecodeInfo& col, Arena& arena) {
  Value v;
  switch (static_cast<ColumnType>(col.real_type)) {
    case ColumnType::tiny: {
      const uint8_t x = r.u8();
      v = col.is_unsigned ? Value::uint64(x) : Value::int64(static_cast<int8_t>(x));
      break;
    }
    case ColumnType::short_: {
      const uint16_t x = r.u16le();
      v = col.is_unsigned ? Value::uint64(x) : Value::int64(static_cast<int16_t>(x));
      break;
    }
    case ColumnType::int24: {
      const uint32_t x = r.u24le();
      v = col.is_unsigned ? Value::uint64(x)
                          : Value::int64((x & 0x800000) ? static_cast<int64_t>(x) - 0x1000000 : x);
      break;
    }
    case ColumnType::long_: {
      const uint32_t x = r.u32le();
      v = col.is_unsigned ? Value::uint64(x) : Value::int64(static_cast<int32_t>(x));
      break;
    }
    case ColumnType::longlong: {
      const uint64_t x = r.u64le();
      v = col.is_unsigned ? Value::uint64(x) : Value::int64(static_cast<int64_t>(x));
      break;
    }
    case ColumnType::float_: {
      const uint32_t x = r.u32le();
      v = Value::float32(std::bit_cast<float>(x));
      break;
    }
    case ColumnType::double_: {
      const uint64_t x = r.u64le();
      v = Value::float64(std::bit_cast<double>(x));
      break;
    }
    case ColumnType::newdecimal: return decode_decimal(r, col.meta >> 8, col.meta & 0xFF, arena);
    case ColumnType::year: {
      const uint8_t y = r.u8();
      v = Value::year_value(y == 0 ? 0 : 1900 + y);
      break;
    }
    case ColumnType::date:
    case ColumnType::newdate: {
      const uint32_t x = r.u24le();
      v = Value::date(static_cast<int32_t>(x >> 9), (x >> 5) & 15, x & 31);
      break;
    }
    case ColumnType::time: {
      // Pre-5.6 TIME: a signed 3-byte integer [-]HHMMSS.
      const uint32_t x = r.u24le();
      const int64_t s = (x & 0x800000) ? static_cast<int64_t>(x) - 0x1000000 : x;
      const int64_t a = s < 0 ? -s : s;
      const int64_t micros = ((a / 10000) * 3600 + (a / 100 % 100) * 60 + a % 100) * 1000000;
      v = Value::time_micros(s < 0 ? -micros : micros, 0);
      break;
    }
    case ColumnType::time2: return decode_time2(r, static_cast<uint8_t>(col.meta));
    case ColumnType::datetime: {
      // Pre-5.6 DATETIME: YYYYMMDDhhmmss as an 8-byte integer.
      const uint64_t x = r.u64le();
      if (x > 99991231235959ull) {
        return make_error(Errc::malformed,
                          "DATETIME value " + std::to_string(x) + " is out of range");
      }
      const uint64_t d = x / 1000000, t = x % 1000000;
      v = Value::datetime(static_cast<int32_t>(d / 10000), d / 100 % 100, d % 100, t / 10000,
                          t / 100 % 100, t % 100, 0, 0);
      break;
    }
    case ColumnType::datetime2: return decode_datetime2(r, static_cast<uint8_t>(col.meta));
    case ColumnType::timestamp: {
      const uint32_t seconds = r.u32le();
      v = seconds == 0 ? zero_timestamp(0) : Value::timestamp_micros(int64_t{seconds} * 1000000, 0);
      break;
    }
    case ColumnType::timestamp2: return decode_timestamp2(r, static_cast<uint8_t>(col.meta));
    case ColumnType::bit: {
      const uint32_t nbits = (col.meta >> 8) * 8 + (col.meta & 0xFF);
      if (nbits == 0 || nbits > 64) {
        return make_error(Errc::malformed, "BIT(" + std::to_string(nbits) + ")");
      }
      v = Value::bit(r.uint_be((nbits + 7) / 8), nbits);
      break;
    }
    case ColumnType::varchar:
    case ColumnType::var_string: {
      const size_t len = col.meta < 256 ? r.u8() : r.u16le();
      auto raw = r.string(len);
      if (!r.ok()) return r.finish().error();
      return string_value(raw, col, arena);
    }
    case ColumnType::string: {
      const uint8_t byte0 = col.meta >> 8;
      const uint32_t max_len = (byte0 & 0x30) != 0x30
                                   ? (col.meta & 0xFF) | (((byte0 & 0x30) ^ 0x30) << 4)
                                   : (col.meta & 0xFF);
      const size_t len = max_len < 256 ? r.u8() : r.u16le();
      auto raw = r.string(len);
      if (!r.ok()) return r.finish().error();
      if (is_bytes(col) && len < max_len) {
        // BINARY(n) is stored with its trailing 0x00 padding stripped; the server returns
        // the padded value, so restore it.
        auto* out = static_cast<char*>(arena.allocate(max_len, 1));
        std::memcpy(out, raw.data(), len);
        std::memset(out + len, 0, max_len - len);
        return Value::bytes({out, max_len});
      }
      return string_value(raw, col, arena);
    }
    case ColumnType::enum_: {
      const uint32_t pack = col.meta & 0xFF;
      if (pack != 1 && pack != 2) return make_error(Errc::malformed, "ENUM pack length");
      const uint64_t idx = r.uint_le(pack);
      if (!r.ok()) return r.finish().error();
      return enum_value(idx, col);
    }
    case ColumnType::set: {
      const uint32_t pack = col.meta & 0xFF;
      if (pack < 1 || pack > 8) return make_error(Errc::malformed, "SET pack length");
      const uint64_t bits = r.uint_le(pack);
      if (!r.ok()) return r.finish().error();
      return set_value(bits, col, arena);
    }
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob:
    case ColumnType::geometry: {
      const uint32_t nlen = col.meta;
      if (nlen < 1 || nlen > 4) return make_error(Errc::malformed, "BLOB length size");
      const uint64_t len = r.uint_le(nlen);
      auto raw = r.string(len);
      if (!r.ok()) return r.finish().error();
      if (col.real_type == static_cast<uint8_t>(ColumnType::geometry)) {
        // The server stores the SRID (4 bytes LE) then the WKB (MySQL and MariaDB alike).
        if (raw.size() < 4) return make_error(Errc::malformed, "GEOMETRY shorter than its SRID");
        ByteReader srid_reader(std::as_bytes(std::span(raw.data(), 4)));
        const uint32_t srid = srid_reader.u32le();
        if (!col.geometry_wkt) return Value::geometry(arena.copy(raw.substr(4)), srid);
        std::string wkt;
        if (Status st = wkb_to_wkt(raw.substr(4), wkt); !st) {
          return make_error(st.error().code, "GEOMETRY column `" + std::string(col.name) +
                                                 "`: " + st.error().message);
        }
        return Value::geometry_wkt(arena.copy(wkt), srid);
      }
      return string_value(raw, col, arena);
    }
    case ColumnType::vector: {
      const uint32_t nlen = col.meta;
      if (nlen < 1 || nlen > 4) {
        return make_error(Errc::malformed,
                          column_label(col) + ": length size " + std::to_string(nlen));
      }
      const uint64_t len = r.uint_le(nlen);
      auto raw = r.bytes(len);
      if (!r.ok()) return r.finish().error();
      return vector_value(raw, col, arena);
    }
    case ColumnType::json: {
      // MySQL binary JSON: a BLOB-style length (meta = its byte count), then the document.
      const uint32_t nlen = col.meta;
      if (nlen < 1 || nlen > 4) return make_error(Errc::malformed, "JSON length size");
      const uint64_t len = r.uint_le(nlen);
      auto raw = r.bytes(len);
      if (!r.ok()) return r.finish().error();
      CDC_TRY_ASSIGN(auto text, decode_mysql_json(raw));
      return Value::json(arena.copy(text));
    }
    default:
      return make_error(Errc::unsupported, "column type " +
                                               std::string(column_type_name(col.real_type)) + " (" +
                                               std::to_string(col.real_type) + ")");
  }
  if (!r.ok()) return r.finish().error();
  return v;
}

}  // namespace cdc::mysql
