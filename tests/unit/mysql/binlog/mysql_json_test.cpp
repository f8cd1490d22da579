// MySQL binary JSON: every type tag, inline and offset values, small and large containers,
// nesting, escaping, opaque values, malformed offsets, and a truncation sweep over every document.
// Documents are built with a small encoder that follows sql-common/json_binary.cc serialize_*
// (the layout is in cdc/mysql/binlog/mysql_json.h).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cdc/mysql/binlog/mysql_json.h"
#include "tests/unit/mysql/binlog/json_test_util.h"

namespace cdc::mysql {
namespace {

using namespace testing;

std::string render(const J& j) {
  auto r = decode_mysql_json(doc(j));
  REQUIRE_MESSAGE(r, r.error().to_string());
  return *r;
}

// Every prefix of a document either decodes (a shorter valid document) or is truncated /
// malformed; never a crash or an over-read (run under ASan).
void sweep(const std::vector<std::byte>& d) {
  for (size_t n = 0; n < d.size(); ++n) {
    std::vector<std::byte> copy(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = decode_mysql_json(copy);
    if (!r) {
      CHECK_MESSAGE((r.error().code == Errc::truncated || r.error().code == Errc::malformed),
                    r.error().to_string());
    }
  }
  // And every single-byte corruption of it.
  for (size_t i = 0; i < d.size(); ++i) {
    for (int flip : {0x01, 0x80, 0xff}) {
      auto copy = d;
      copy[i] ^= static_cast<std::byte>(flip);
      auto r = decode_mysql_json(copy);
      if (!r) {
        CHECK_MESSAGE((r.error().code == Errc::truncated || r.error().code == Errc::malformed),
                      r.error().to_string());
      }
    }
  }
}

TEST_CASE("MySQL JSON scalars: every type tag") {
  CHECK(render(lit(0)) == "null");
  CHECK(render(lit(1)) == "true");
  CHECK(render(lit(2)) == "false");
  CHECK(render(i16(-32768)) == "-32768");
  CHECK(render(u16(65535)) == "65535");
  CHECK(render(i32(INT32_MIN)) == "-2147483648");
  CHECK(render(u32(UINT32_MAX)) == "4294967295");
  CHECK(render(i64(INT64_MIN)) == "-9223372036854775808");
  CHECK(render(u64(UINT64_MAX)) == "18446744073709551615");
  CHECK(render(dbl(3.5)) == "3.5");
  CHECK(render(str("")) == R"("")");
  CHECK(render(str("héllo 😀")) == "\"héllo 😀\"");
  CHECK(decode_mysql_json({}).value() == "null");  // zero-length value: JSON null
}

TEST_CASE("MySQL JSON doubles print as MySQL 8 prints them") {
  CHECK(format_mysql_json_double(0.1) == "0.1");
  CHECK(format_mysql_json_double(-2.5) == "-2.5");
  CHECK(format_mysql_json_double(1.0) == "1.0");
  CHECK(format_mysql_json_double(0.0) == "0.0");
  CHECK(format_mysql_json_double(100.0) == "100.0");
  CHECK(format_mysql_json_double(123456789012345.0) == "123456789012345.0");
  CHECK(format_mysql_json_double(1e15) == "1e15");
  CHECK(format_mysql_json_double(1.5e300) == "1.5e300");
  CHECK(format_mysql_json_double(0.001) == "0.001");
  CHECK(format_mysql_json_double(0.0001) == "0.0001");
  CHECK(format_mysql_json_double(0.00001) == "1e-5");
  CHECK(format_mysql_json_double(-1.25e-10) == "-1.25e-10");
  CHECK(format_mysql_json_double(0.30000000000000004) == "0.30000000000000004");
  CHECK(format_mysql_json_double(1.7976931348623157e308) == "1.7976931348623157e308");
}

TEST_CASE("MySQL JSON strings are escaped as json_dom.cc double_quote() does") {
  CHECK(render(str("a\"b\\c/d")) == R"("a\"b\\c/d")");
  CHECK(render(str("\b\f\n\r\t")) == R"("\b\f\n\r\t")");
  CHECK(render(str(std::string("\x01\x1f\x00", 3))) == R"("\u0001\u001f\u0000")");
  CHECK(render(str("\x7f")) == "\"\x7f\"");
  // A 200-byte string has a 2-byte length; a 20000-byte one 3 bytes.
  CHECK(render(str(std::string(200, 'x'))) == "\"" + std::string(200, 'x') + "\"");
  CHECK(render(str(std::string(20000, 'y'))) == "\"" + std::string(20000, 'y') + "\"");
}

TEST_CASE("MySQL JSON containers: small and large, inline and offset values, nesting") {
  CHECK(render(obj({})) == "{}");
  CHECK(render(arr({})) == "[]");
  CHECK(render(obj({}, true)) == "{}");
  CHECK(render(arr({}, true)) == "[]");
  const auto members =
      std::vector<std::pair<std::string, J>>{{"a", i16(1)},       {"b", arr({i16(1), i16(2)})},
                                             {"k\"ey", str("v")}, {"n", lit(0)},
                                             {"t", lit(1)},       {"u", u16(7)},
                                             {"x", i32(-70000)},  {"y", u32(70000)},
                                             {"z", dbl(-0.5)},    {"é", i64(5)}};
  const std::string expect =
      R"({"a": 1, "b": [1, 2], "k\"ey": "v", "n": null, "t": true, "u": 7, "x": -70000, )"
      R"("y": 70000, "z": -0.5, "é": 5})";
  CHECK(render(obj(members)) == expect);
  CHECK(render(obj(members, /*large=*/true)) == expect);  // int32/uint32 inline there
  CHECK(render(arr({lit(2), u64(1), obj({{"q", arr({})}})}, true)) == R"([false, 1, {"q": []}])");
  J deep = i16(0);  // 100 levels: the most MySQL writes
  for (int i = 0; i < kMysqlJsonMaxDepth; ++i) deep = (i % 2) ? arr({deep}) : obj({{"d", deep}});
  CHECK(render(deep).size() > 400);
  J too_deep = arr({deep});
  auto r = decode_mysql_json(doc(too_deep));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message.find("nesting") != std::string::npos);
}

TEST_CASE("MySQL JSON large documents (4-byte offsets beyond 64 KiB)") {
  std::vector<J> items;
  std::string expect = "[";
  for (int i = 0; i < 3000; ++i) {
    items.push_back(str(std::string(30, static_cast<char>('a' + i % 26))));
    expect += (i ? ", \"" : "\"") + std::string(30, static_cast<char>('a' + i % 26)) + "\"";
  }
  expect += "]";
  auto big = arr(items, true);
  CHECK(big.data.size() > 65536);
  CHECK(render(big) == expect);
  CHECK(render(obj({{"big", big}, {"n", i32(-1)}}, true)) ==
        "{\"big\": " + expect + ", \"n\": -1}");
}

TEST_CASE("MySQL JSON opaque values: DECIMAL, temporal types, others as base64") {
  // DECIMAL(5,2) 123.45: precision, scale, then strings/decimal.c binary: 3 integer digits in
  // 2 bytes (123 | sign bit), 2 fraction digits in 1 byte; negative: every byte inverted.
  CHECK(render(opaque(246, {5, 2, 0x80, 0x7b, 0x2d})) == "123.45");
  CHECK(render(opaque(246, {5, 2, 0x7f, 0x84, 0xd2})) == "-123.45");
  // Packed longlong times (my_time.cc): DATETIME 2012-03-18 11:30:45.5.
  const uint64_t ymd = ((2012ULL * 13 + 3) << 5) | 18;
  const uint64_t hms = (11ULL << 12) | (30 << 6) | 45;
  const uint64_t packed_dt = ((ymd << 17 | hms) << 24) | 500000;
  std::vector<uint8_t> b;
  put_le(b, packed_dt, 8);
  CHECK(render(opaque(12, b)) == R"("2012-03-18 11:30:45.500000")");
  CHECK(render(opaque(7, b)) == R"("2012-03-18 11:30:45.500000")");
  b.clear();
  put_le(b, (ymd << 17) << 24, 8);
  CHECK(render(opaque(10, b)) == R"("2012-03-18")");
  b.clear();
  const int64_t t = -static_cast<int64_t>((((838ULL << 12) | (59 << 6) | 58) << 24) | 1);
  put_le(b, static_cast<uint64_t>(t), 8);
  CHECK(render(opaque(11, b)) == R"("-838:59:58.000001")");
  CHECK(render(opaque(15, {'U'})) == R"("base64:type15:VQ==")");
  CHECK(render(opaque(252, {1, 2, 3, 4, 5})) == R"("base64:type252:AQIDBAU=")");
  CHECK(render(opaque(16, {})) == R"("base64:type16:")");
  // A temporal value shorter than 8 bytes, an impossible DECIMAL.
  CHECK(decode_mysql_json(doc(opaque(12, {1, 2}))).error().code == Errc::truncated);
  CHECK(decode_mysql_json(doc(opaque(246, {70, 2, 0x80}))).error().code == Errc::malformed);
}

TEST_CASE("MySQL JSON: malformed documents are errors naming the offset") {
  auto code = [](const std::vector<std::byte>& d) { return decode_mysql_json(d).error().code; };
  CHECK(code(raw({0x0d})) == Errc::malformed);             // unknown type
  CHECK(code(raw({0x04, 0x03})) == Errc::malformed);       // unknown literal
  CHECK(code(raw({0x0c, 0x05, 'a'})) == Errc::truncated);  // string longer than the document
  CHECK(code(raw({0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})) == Errc::malformed);  // 6-byte length
  // Small object claiming 100 bytes in a 6-byte document.
  CHECK(code(raw({0x00, 0x01, 0x00, 0x64, 0x00, 0x00})) == Errc::truncated);
  // Array of 1 whose value offset points past the array's size.
  auto r = decode_mysql_json(raw({0x02, 0x01, 0x00, 0x09, 0x00, 0x0c, 0x20, 0x00, 0, 0}));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message.find("offset 5") != std::string::npos);
  // Array of 1000 elements in 7 bytes.
  CHECK(code(raw({0x02, 0xe8, 0x03, 0x06, 0x00, 0x04, 0x00})) == Errc::malformed);
  // Object key outside the object.
  CHECK(code(raw({0x00, 0x01, 0x00, 0x0b, 0x00, 0x40, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00})) ==
        Errc::malformed);
  // Double NaN (MySQL cannot store one).
  CHECK(code(raw({0x0b, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})) == Errc::malformed);
}

TEST_CASE("MySQL JSON: truncation and corruption sweep over every document") {
  const std::vector<J> docs = {
      lit(1),
      i16(-5),
      u16(5),
      i32(-5),
      u32(5),
      i64(-5),
      u64(5),
      dbl(2.25),
      str("abc"),
      opaque(246, {5, 2, 0x80, 0x7b, 0x2d}),
      opaque(15, {'U'}),
      obj({}),
      arr({}),
      obj({{"a", i16(1)}, {"b", arr({i16(1), str("x"), dbl(1.5)})}, {"c", obj({{"d", lit(0)}})}}),
      obj({{"a", i32(1)}, {"bb", arr({u32(1), str("x")}, true)}}, true),
  };
  for (size_t doc_idx = 0; doc_idx < docs.size(); ++doc_idx) {
    CAPTURE(doc_idx);
    sweep(doc(docs[doc_idx]));
  }
}

}  // namespace
}  // namespace cdc::mysql

namespace cdc::mysql {
TEST_CASE("MySQL JSON strings and keys that are not UTF-8 are refused, never rendered") {
  const auto bytes = [](std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(static_cast<std::byte>(b));
    return out;
  };
  auto str = decode_mysql_json(bytes({0x0c, 3, 'a', 0xc5, 'b'}));  // found by fuzz_mysql_json
  REQUIRE_FALSE(str);
  CHECK(str.error().code == Errc::malformed);
  CHECK(str.error().message == "MySQL JSON: string is not valid UTF-8 at offset 1");
  // {"\xff": true}: small object, 1 member, key at 11 of length 1.
  auto key = decode_mysql_json(bytes({0x00, 1, 0, 12, 0, 11, 0, 1, 0, 0x04, 1, 0, 0xff}));
  REQUIRE_FALSE(key);
  CHECK(key.error().code == Errc::malformed);
  CHECK(key.error().message.find("key 0 is not valid UTF-8") != std::string::npos);
}
}  // namespace cdc::mysql
