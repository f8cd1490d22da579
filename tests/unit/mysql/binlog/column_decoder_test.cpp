// Unit tables for the column decoder: DECIMAL, TIME2, DATETIME2, TIMESTAMP2, BIT, YEAR, DATE,
// latin1, ENUM/SET. Encoders here follow MySQL's write side (strings/decimal.c decimal2bin,
// my_time.cc *_to_binary) so that the decoder is checked against an independent formulation.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/column_type.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::bytes_of;

void put_be(std::vector<std::byte>& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

// decimal2bin for a digit string "-123.45" at DECIMAL(p, s).
std::vector<std::byte> encode_decimal(std::string text, int p, int s) {
  static const int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  bool neg = !text.empty() && text[0] == '-';
  if (neg) text.erase(0, 1);
  auto dot = text.find('.');
  std::string ip = dot == std::string::npos ? text : text.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : text.substr(dot + 1);
  const int intg = p - s;
  if (intg == 0) ip.clear();
  ip = std::string(intg - ip.size(), '0') + ip;
  fp += std::string(s - fp.size(), '0');
  std::vector<std::byte> out;
  auto group = [&](const std::string& digits) {
    const int n = static_cast<int>(digits.size());
    put_be(out, n ? std::stoull(digits) : 0, n == 9 ? 4 : dig2bytes[n]);
  };
  size_t pos = 0;
  if (intg % 9) {
    group(ip.substr(0, intg % 9));
    pos = intg % 9;
  }
  for (; pos < ip.size(); pos += 9) group(ip.substr(pos, 9));
  for (pos = 0; pos + 9 <= fp.size(); pos += 9) group(fp.substr(pos, 9));
  if (s % 9) group(fp.substr(pos));
  out[0] ^= std::byte{0x80};
  if (neg)
    for (auto& b : out) b = ~b;
  return out;
}

std::string dec(const std::vector<std::byte>& b, int p, int s) {
  Arena arena;
  ByteReader r(b);
  auto v = decode_decimal(r, p, s, arena);
  REQUIRE_MESSAGE(v, v.error().to_string());
  CHECK(r.remaining() == 0);
  CHECK(v->aux == static_cast<uint32_t>(s));
  return std::string(v->text);
}

TEST_CASE("DECIMAL: MySQL's documented example and exact round trips") {
  // strings/decimal.c comment: 1234567890.1234 as DECIMAL(14,4).
  CHECK(dec(bytes_of({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2}), 14, 4) == "1234567890.1234");
  CHECK(dec(bytes_of({0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D}), 14, 4) == "-1234567890.1234");
  struct Case {
    const char* text;
    int p, s;
    const char* expect;
  };
  const Case cases[] = {
      {"0.01", 10, 2, "0.01"},  // the leading zero libmariadb drops (ENVIRONMENT.md gotcha 2)
      {"-0.50", 10, 2, "-0.50"},
      {"0", 10, 2, "0.00"},
      {"-0", 5, 0, "0"},
      {"99999999999999999999999999999999999999999999999999999999999999999", 65, 0,
       "99999999999999999999999999999999999999999999999999999999999999999"},
      {"-99999999999999999999999999999999999.999999999999999999999999999999", 65, 30,
       "-99999999999999999999999999999999999.999999999999999999999999999999"},
      {"0.000000000000000000000000000001", 65, 30, "0.000000000000000000000000000001"},
      {"123456789012345678.5", 20, 1, "123456789012345678.5"},
      {"1", 1, 0, "1"},
      {"0.5", 1, 1, "0.5"},
      {"-12345.678901234", 20, 9, "-12345.678901234"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto b = encode_decimal(c.text, c.p, c.s);
    CHECK(b.size() == decimal_binary_size(c.p, c.s));
    CHECK(dec(b, c.p, c.s) == c.expect);
  }
}

TEST_CASE("DECIMAL: every precision and scale, random digits, both sides of the 18-digit path") {
  std::mt19937_64 rng(20261206);
  for (int p = 1; p <= 65; ++p) {
    for (int s = 0; s <= std::min(p, 30); ++s) {
      for (int trial = 0; trial < 8; ++trial) {
        // Digits with runs of zeros, so that leading zeros and zero values come up too.
        auto digits = [&](int n) {
          std::string d;
          for (int i = 0; i < n; ++i)
            d += static_cast<char>('0' + (rng() % 3 == 0 ? 0 : rng() % 10));
          return d;
        };
        const bool neg = rng() % 2 == 0;
        const std::string ip = digits(p - s);
        const std::string fp = digits(s);
        std::string text = neg ? "-" : "";
        text += ip;
        if (s) text += "." + fp;
        // What the server prints: no leading zeros (but one "0"), every fraction digit, no "-0".
        const size_t first = ip.find_first_not_of('0');
        const std::string int_text =
            first == std::string::npos ? std::string(1, '0') : ip.substr(first);
        const bool zero =
            first == std::string::npos && fp.find_first_not_of('0') == std::string::npos;
        std::string expect = neg && !zero ? "-" : "";
        expect += int_text;
        if (s) expect += "." + fp;
        CAPTURE(text);
        CAPTURE(p);
        CAPTURE(s);
        CHECK(dec(encode_decimal(text, p, s), p, s) == expect);
      }
    }
  }
}

TEST_CASE("DECIMAL: bad precision and out-of-range groups are malformed, short input truncated") {
  Arena arena;
  auto b = bytes_of({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2});
  ByteReader r1(b);
  CHECK(decode_decimal(r1, 66, 0, arena).error().code == Errc::malformed);
  ByteReader r2(std::span<const std::byte>(b).first(6));
  CHECK(decode_decimal(r2, 14, 4, arena).error().code == Errc::truncated);
  auto bad = bytes_of({0x80 | 0x3B, 0x9A, 0xCA, 0x00});  // 1e9 in a 9-digit group
  ByteReader r3(bad);
  CHECK(decode_decimal(r3, 9, 0, arena).error().code == Errc::malformed);
}

// my_time.cc: TIME_to_longlong_time_packed + my_time_packed_to_binary.
std::vector<std::byte> encode_time2(bool neg, int h, int m, int s, int us, int fsp) {
  int64_t hms = (int64_t{h} << 12) | (m << 6) | s;
  int64_t packed = (hms << 24) + us;
  if (neg) packed = -packed;
  std::vector<std::byte> out;
  switch (fsp) {
    case 0: put_be(out, (packed >> 24) + 0x800000, 3); break;
    case 1:
    case 2: {
      int64_t ip = packed >> 24;  // floor
      int64_t frac = (packed % (1 << 24)) / 10000;
      if (ip < 0 && frac) frac += 0x100;  // my_time_packed_to_binary's signed byte
      put_be(out, ip + 0x800000, 3);
      put_be(out, static_cast<uint64_t>(frac) & 0xFF, 1);
      break;
    }
    case 3:
    case 4: {
      int64_t ip = packed >> 24;
      int64_t frac = (packed % (1 << 24)) / 100;
      if (ip < 0 && frac) frac += 0x10000;
      put_be(out, ip + 0x800000, 3);
      put_be(out, static_cast<uint64_t>(frac) & 0xFFFF, 2);
      break;
    }
    default: put_be(out, static_cast<uint64_t>(packed + 0x800000000000LL), 6); break;
  }
  return out;
}

TEST_CASE("TIME2: negative, beyond 24 h, every fsp") {
  struct Case {
    bool neg;
    int h, m, s, us, fsp;
  };
  const Case cases[] = {
      {false, 0, 0, 0, 0, 0},       {false, 838, 59, 59, 0, 0},      {true, 838, 59, 59, 0, 0},
      {true, 507, 48, 27, 0, 0},    {false, 12, 34, 56, 500000, 1},  {true, 0, 0, 1, 100000, 1},
      {true, 1, 2, 3, 450000, 2},   {false, 25, 0, 0, 123000, 3},    {true, 0, 0, 0, 1200, 4},
      {true, 100, 0, 0, 123450, 5}, {false, 838, 59, 58, 999999, 6}, {true, 0, 0, 0, 1, 6}};
  for (const auto& c : cases) {
    CAPTURE(c.h);
    CAPTURE(c.us);
    CAPTURE(c.fsp);
    CAPTURE(c.neg);
    auto b = encode_time2(c.neg, c.h, c.m, c.s, c.us, c.fsp);
    ByteReader r(b);
    auto v = decode_time2(r, static_cast<uint8_t>(c.fsp));
    REQUIRE(v);
    CHECK(r.remaining() == 0);
    const int64_t micros = ((int64_t{c.h} * 60 + c.m) * 60 + c.s) * 1000000 + c.us;
    CHECK(*v == Value::time_micros(c.neg ? -micros : micros, static_cast<uint8_t>(c.fsp)));
  }
}

std::vector<std::byte> encode_datetime2(int y, int mo, int d, int h, int mi, int s, int us,
                                        int fsp) {
  const int64_t ym = int64_t{y} * 13 + mo;
  const int64_t ymd = (ym << 5) | d;
  const int64_t hms = (int64_t{h} << 12) | (mi << 6) | s;
  const int64_t ip = ((ymd << 17) | hms) + 0x8000000000LL;
  std::vector<std::byte> out;
  put_be(out, static_cast<uint64_t>(ip), 5);
  if (fsp == 1 || fsp == 2) put_be(out, us / 10000, 1);
  if (fsp == 3 || fsp == 4) put_be(out, us / 100, 2);
  if (fsp == 5 || fsp == 6) put_be(out, us, 3);
  return out;
}

TEST_CASE("DATETIME2: every fsp, zero and partially zero dates kept") {
  struct Case {
    int y, mo, d, h, mi, s, us, fsp;
  };
  const Case cases[] = {
      {2024, 2, 29, 23, 59, 59, 0, 0},       {1000, 1, 1, 0, 0, 0, 0, 0},
      {9999, 12, 31, 23, 59, 59, 999999, 6}, {0, 0, 0, 0, 0, 0, 0, 0},
      {2020, 0, 0, 0, 0, 0, 0, 0},           {2021, 6, 15, 12, 30, 45, 120000, 2},
      {2021, 6, 15, 12, 30, 45, 123400, 4},  {2021, 6, 15, 12, 30, 45, 123450, 5},
      {1970, 1, 1, 0, 0, 0, 500000, 1},      {2021, 6, 15, 12, 30, 45, 123000, 3}};
  for (const auto& c : cases) {
    CAPTURE(c.y);
    CAPTURE(c.fsp);
    auto b = encode_datetime2(c.y, c.mo, c.d, c.h, c.mi, c.s, c.us, c.fsp);
    ByteReader r(b);
    auto v = decode_datetime2(r, static_cast<uint8_t>(c.fsp));
    REQUIRE(v);
    CHECK(r.remaining() == 0);
    CHECK(*v == Value::datetime(c.y, c.mo, c.d, c.h, c.mi, c.s, c.us, static_cast<uint8_t>(c.fsp)));
  }
}

TEST_CASE("TIMESTAMP2: seconds big-endian plus fraction, UTC micros") {
  std::vector<std::byte> b;
  put_be(b, 1650493084, 4);
  put_be(b, 123456, 3);
  ByteReader r(b);
  auto v = decode_timestamp2(r, 6);
  REQUIRE(v);
  CHECK(*v == Value::timestamp_micros(1650493084LL * 1000000 + 123456, 6));
  std::vector<std::byte> b3;
  put_be(b3, 1, 4);
  put_be(b3, 1230, 2);
  ByteReader r3(b3);
  CHECK(*decode_timestamp2(r3, 3) == Value::timestamp_micros(1123000, 3));
}

Value col(std::vector<std::byte> b, ColumnDecodeInfo info, Arena& arena) {
  ByteReader r(b);
  auto v = decode_column(r, info, arena);
  REQUIRE_MESSAGE(v, v.error().to_string());
  CHECK(r.remaining() == 0);
  return *v;
}

TEST_CASE("BIT(1..64), YEAR, DATE, integers signed and unsigned") {
  Arena a;
  auto bit = [](int n) {
    return ColumnDecodeInfo{
        .type = 16, .real_type = 16, .meta = static_cast<uint16_t>(((n / 8) << 8) | (n % 8))};
  };
  CHECK(col(bytes_of({0x01}), bit(1), a) == Value::bit(1, 1));
  CHECK(col(bytes_of({0x01, 0xFF}), bit(9), a) == Value::bit(0x1FF, 9));
  CHECK(col(bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), bit(64), a) ==
        Value::bit(~0ULL, 64));
  CHECK(col(bytes_of({0x80, 0, 0, 0, 0, 0, 0, 0}), bit(64), a) == Value::bit(1ULL << 63, 64));
  ColumnDecodeInfo year{.type = 13, .real_type = 13};
  CHECK(col(bytes_of({0}), year, a) == Value::year_value(0));
  CHECK(col(bytes_of({1}), year, a) == Value::year_value(1901));
  CHECK(col(bytes_of({255}), year, a) == Value::year_value(2155));
  ColumnDecodeInfo date{.type = 10, .real_type = 10};
  const uint32_t d = (2024u << 9) | (2u << 5) | 29u;
  CHECK(col(bytes_of({int(d & 0xFF), int(d >> 8 & 0xFF), int(d >> 16)}), date, a) ==
        Value::date(2024, 2, 29));
  CHECK(col(bytes_of({0, 0, 0}), date, a) == Value::date(0, 0, 0));
  ColumnDecodeInfo tiny{.type = 1, .real_type = 1};
  CHECK(col(bytes_of({0x80}), tiny, a) == Value::int64(-128));
  tiny.is_unsigned = true;
  CHECK(col(bytes_of({0xFF}), tiny, a) == Value::uint64(255));
  ColumnDecodeInfo i24{.type = 9, .real_type = 9};
  CHECK(col(bytes_of({0x00, 0x00, 0x80}), i24, a) == Value::int64(-8388608));
  ColumnDecodeInfo big{.type = 8, .real_type = 8, .is_unsigned = true};
  CHECK(col(bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), big, a) ==
        Value::uint64(18446744073709551615ULL));
  big.is_unsigned = false;
  CHECK(col(bytes_of({0, 0, 0, 0, 0, 0, 0, 0x80}), big, a) == Value::int64(INT64_MIN));
}

TEST_CASE("strings: latin1 (cp1252) to UTF-8, binary as bytes, BINARY padding restored") {
  Arena a;
  ColumnDecodeInfo latin{
      .type = 15, .real_type = 15, .meta = 10, .charset = charset_named("latin1")};
  CHECK(col(bytes_of({3, 'c', 0xE9, 0x80}), latin, a) == Value::string("c\xC3\xA9\xE2\x82\xAC"));
  ColumnDecodeInfo vb{.type = 15, .real_type = 15, .meta = 300, .charset = charset_named("binary")};
  CHECK(col(bytes_of({2, 0, 0x00, 0xFF}), vb, a) == Value::bytes(std::string("\0\xFF", 2)));
  ColumnDecodeInfo bin4{
      .type = 254, .real_type = 254, .meta = 0xFE04, .charset = charset_named("binary")};
  CHECK(col(bytes_of({2, 'a', 'b'}), bin4, a) == Value::bytes(std::string("ab\0\0", 4)));
  ColumnDecodeInfo json{.type = 252,
                        .real_type = 252,
                        .meta = 4,
                        .charset = charset_named("utf8mb4"),
                        .json_text = true};
  CHECK(col(bytes_of({2, 0, 0, 0, '{', '}'}), json, a) == Value::json("{}"));
  ColumnDecodeInfo mysql_json{.type = 245, .real_type = 245, .meta = 4};
  CHECK(col(bytes_of({2, 0, 0, 0, 0x04, 0x01}), mysql_json, a) == Value::json("true"));
  CHECK(col(bytes_of({0, 0, 0, 0}), mysql_json, a) == Value::json("null"));  // empty document
  std::vector<std::byte> jb = bytes_of({1, 0, 0, 0, 0});  // a small object without its header
  ByteReader r(jb);
  CHECK(decode_column(r, mysql_json, a).error().code == Errc::truncated);
}

TEST_CASE("ENUM and SET resolve labels; bad indexes are malformed") {
  Arena a;
  std::vector<std::string> labels = {"a", "b,c", "d"};
  ColumnDecodeInfo e{.type = 254, .real_type = 247, .meta = 0xF701, .labels = labels};
  CHECK(col(bytes_of({2}), e, a) == Value::enum_label("b,c", 2));
  CHECK(col(bytes_of({0}), e, a) == Value::enum_label("", 0));
  std::vector<std::byte> b = bytes_of({4});
  ByteReader r(b);
  CHECK(decode_column(r, e, a).error().code == Errc::malformed);
  ColumnDecodeInfo s{.type = 254, .real_type = 248, .meta = 0xF801, .labels = labels};
  CHECK(col(bytes_of({0b101}), s, a) == Value::set_labels("a,d", 0b101));
  CHECK(col(bytes_of({0}), s, a) == Value::set_labels("", 0));
}

}  // namespace
}  // namespace cdc::mysql

namespace cdc::mysql {
TEST_CASE(
    "fuzz_regression_datetime_out_of_range: an old DATETIME beyond 9999-12-31 23:59:59 is "
    "malformed") {
  // Found by fuzz_column (tests/fuzz/regressions/column/datetime_year_int64_overflow): the
  // year overflowed int64 arithmetic in Value::datetime.
  Arena arena;
  const ColumnDecodeInfo info{.type = 12, .real_type = 12};
  std::vector<std::byte> max(8), over(8, std::byte{0xff});
  uint64_t ok = 99991231235959ull;
  for (int i = 0; i < 8; ++i) max[i] = std::byte(ok >> (8 * i));
  ByteReader good(max);
  auto v = decode_column(good, info, arena);
  REQUIRE(v);
  CHECK(*v == Value::datetime(9999, 12, 31, 23, 59, 59, 0, 0));
  ByteReader bad(over);
  auto e = decode_column(bad, info, arena);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::malformed);
  CHECK(e.error().message == "DATETIME value 18446744073709551615 is out of range");
}
TEST_CASE("TIMESTAMP and TIMESTAMP2 of 0 are the zero value '0000-00-00 00:00:00', not the epoch") {
  // Found by mysql_type_matrix_it: the server's SELECT prints the zero timestamp.
  std::vector<std::byte> b;
  put_be(b, 0, 4);
  put_be(b, 0, 3);
  ByteReader r(b);
  CHECK(*decode_timestamp2(r, 6) == Value::datetime(0, 0, 0, 0, 0, 0, 0, 6));
  std::vector<std::byte> frac;  // 0 seconds with a fraction is a real (if odd) instant
  put_be(frac, 0, 4);
  put_be(frac, 5, 1);
  ByteReader rf(frac);
  CHECK(*decode_timestamp2(rf, 2) == Value::timestamp_micros(50000, 2));
  Arena arena;
  CHECK(col({std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}},
            {.type = static_cast<uint8_t>(ColumnType::timestamp),
             .real_type = static_cast<uint8_t>(ColumnType::timestamp)},
            arena) == Value::datetime(0, 0, 0, 0, 0, 0, 0, 0));
}

TEST_CASE("GEOMETRY: the SRID prefix becomes the value's SRID, the rest is the WKB") {
  Arena arena;
  const ColumnDecodeInfo geo{.type = static_cast<uint8_t>(ColumnType::geometry),
                             .real_type = static_cast<uint8_t>(ColumnType::geometry),
                             .meta = 4};
  // length 25 (4-byte LE), SRID 4326 (LE), WKB of POINT(1 2).
  std::vector<std::byte> b = bytes_of({25, 0, 0, 0, 0xE6, 0x10, 0, 0, 1, 1, 0, 0, 0, 0,   0,
                                       0,  0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40});
  const std::string wkb(
      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xF0\x3F"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      21);
  CHECK(col(b, geo, arena) == Value::geometry(wkb, 4326));
  // Shorter than the SRID: malformed, not a silent empty value.
  std::vector<std::byte> short_geo = bytes_of({3, 0, 0, 0, 1, 2, 3});
  ByteReader r(short_geo);
  auto bad = decode_column(r, geo, arena);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::malformed);
}

TEST_CASE("GEOMETRY with geometry.format wkt: WKT text and the SRID; bad WKB names the column") {
  Arena arena;
  const ColumnDecodeInfo geo{.type = static_cast<uint8_t>(ColumnType::geometry),
                             .real_type = static_cast<uint8_t>(ColumnType::geometry),
                             .meta = 4,
                             .geometry_wkt = true,
                             .name = "shape"};
  std::vector<std::byte> b = bytes_of({25, 0, 0, 0, 0xE6, 0x10, 0, 0, 1, 1, 0, 0, 0, 0,   0,
                                       0,  0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40});
  CHECK(col(b, geo, arena) == Value::geometry_wkt("POINT(1 2)", 4326));
  // A point type with only one coordinate: truncated WKB inside a whole column value.
  std::vector<std::byte> short_wkb =
      bytes_of({17, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F});
  ByteReader r(short_wkb);
  auto bad = decode_column(r, geo, arena);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::truncated);
  CHECK_MESSAGE(bad.error().message.find("GEOMETRY column `shape`") != std::string::npos,
                bad.error().message);
}

}  // namespace cdc::mysql
