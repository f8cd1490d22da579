// WKB -> WKT: every 2-D geometry type in both byte orders (mixed inside collections), shortest
// round-trip coordinates, and malformed input (bad order/type, forged counts, NaN, nesting
// beyond the limit, trailing bytes, every truncated prefix) as errors, never a crash.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>

#include "cdc/core/wkb_to_wkt.h"

namespace cdc {
namespace {

// A WKB builder: `le` picks the byte order of everything it writes after header().
struct Wkb {
  std::string b;
  bool le = true;
  Wkb& header(uint32_t type, bool little = true) {
    le = little;
    b += static_cast<char>(little ? 1 : 0);
    return u32(type);
  }
  Wkb& u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) b += static_cast<char>(v >> (8 * (le ? i : 3 - i)));
    return *this;
  }
  Wkb& f64(double d) {
    const uint64_t v = std::bit_cast<uint64_t>(d);
    for (int i = 0; i < 8; ++i) b += static_cast<char>(v >> (8 * (le ? i : 7 - i)));
    return *this;
  }
  Wkb& xy(double x, double y) { return f64(x).f64(y); }
  Wkb& append(const Wkb& other) {
    b += other.b;
    return *this;
  }
};

std::string wkt(const std::string& wkb) {
  std::string out;
  const Status st = wkb_to_wkt(wkb, out);
  REQUIRE_MESSAGE(st, st.error().to_string());
  return out;
}

Error error_of(const std::string& wkb) {
  std::string out = "keep";
  const Status st = wkb_to_wkt(wkb, out);
  REQUIRE_FALSE(st);
  CHECK(out == "keep");  // unchanged on error
  return st.error();
}

Wkb point(double x, double y, bool little = true) { return Wkb{}.header(1, little).xy(x, y); }
Wkb line(std::initializer_list<std::pair<double, double>> pts, bool little = true) {
  Wkb w;
  w.header(2, little).u32(static_cast<uint32_t>(pts.size()));
  for (auto [x, y] : pts) w.xy(x, y);
  return w;
}
Wkb square(bool little = true) {
  Wkb w;
  w.header(3, little).u32(2).u32(5);
  w.xy(0, 0).xy(10, 0).xy(10, 10).xy(0, 10).xy(0, 0);
  w.u32(4).xy(1, 1).xy(2, 1).xy(2, 2).xy(1, 1);
  return w;
}

TEST_CASE("WKB to WKT: each geometry type, little- and big-endian") {
  for (bool little : {true, false}) {
    CAPTURE(little);
    CHECK(wkt(point(1, 2, little).b) == "POINT(1 2)");
    CHECK(wkt(point(-0.5, 1e-300, little).b) == "POINT(-0.5 1e-300)");
    CHECK(wkt(point(1e300, -2.5e-7, little).b) == "POINT(1e300 -2.5e-7)");
    CHECK(wkt(line({{0, 0}, {1.5, -2.25}, {3, 4}}, little).b) == "LINESTRING(0 0,1.5 -2.25,3 4)");
    CHECK(wkt(square(little).b) == "POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1))");
    Wkb mp;
    mp.header(4, little).u32(2).append(point(1, 2, little)).append(point(3, 4, !little));
    CHECK(wkt(mp.b) == "MULTIPOINT(1 2,3 4)");
    Wkb ml;
    ml.header(5, little)
        .u32(2)
        .append(line({{0, 0}, {1, 1}}, !little))
        .append(line({{2, 2}, {3, 3}}));
    CHECK(wkt(ml.b) == "MULTILINESTRING((0 0,1 1),(2 2,3 3))");
    Wkb mpoly;
    mpoly.header(6, little).u32(2).append(square(little)).append(square(!little));
    CHECK(wkt(mpoly.b) ==
          "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1)),"
          "((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1)))");
    Wkb gc;
    gc.header(7, little)
        .u32(3)
        .append(point(1, 2))
        .append(line({{0, 0}, {1, 1}}, false))
        .append(mp);
    CHECK(wkt(gc.b) == "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1),MULTIPOINT(1 2,3 4))");
    CHECK(wkt(Wkb{}.header(7, little).u32(0).b) == "GEOMETRYCOLLECTION EMPTY");
    CHECK(wkt(Wkb{}.header(4, little).u32(0).b) == "MULTIPOINT()");
  }
}

TEST_CASE("WKB to WKT: coordinates print as shortest round-trip doubles") {
  CHECK(wkt(point(0.1, 0.30000000000000004).b) == "POINT(0.1 0.30000000000000004)");
  CHECK(wkt(point(-122.4194155, 37.7749295).b) == "POINT(-122.4194155 37.7749295)");
  // Spelled as MariaDB's ST_AsText: no '+' in exponents, -0 as 0.
  CHECK(wkt(point(std::numeric_limits<double>::max(), -0.0).b) ==
        "POINT(1.7976931348623157e308 0)");
  CHECK(wkt(point(4.9e-324, 123456789012345680).b) == "POINT(5e-324 123456789012345680)");
}

TEST_CASE("WKB to WKT: nested collections up to the limit, deeper is malformed") {
  auto nested = [](int depth) {
    Wkb w;
    for (int i = 0; i < depth; ++i) w.header(7).u32(1);
    return w.append(point(1, 2));
  };
  std::string expect = "POINT(1 2)";
  for (int i = 0; i < kMaxWkbDepth; ++i) expect = "GEOMETRYCOLLECTION(" + expect + ")";
  CHECK(wkt(nested(kMaxWkbDepth).b) == expect);
  const auto e = error_of(nested(kMaxWkbDepth + 1).b);
  CHECK(e.code == Errc::malformed);
  CHECK_MESSAGE(e.message.find("nested deeper than 32") != std::string::npos, e.message);
}

TEST_CASE("WKB to WKT: malformed input names what and where") {
  auto check = [](const std::string& wkb, std::string_view needle) {
    const auto e = error_of(wkb);
    CHECK(e.code == Errc::malformed);
    CHECK_MESSAGE(e.message.find(needle) != std::string::npos, e.message);
  };
  check(std::string("\x02\x01\x00\x00\x00", 5), "byte order 2");
  check(Wkb{}.header(0).b, "geometry type 0");
  check(Wkb{}.header(8).b, "geometry type 8");
  check(Wkb{}.header(1001).xy(1, 2).f64(3).b, "geometry type 1001");               // POINT Z
  check(Wkb{}.header(0x80000001u).xy(1, 2).f64(3).b, "geometry type 2147483649");  // EWKB Z
  check(Wkb{}.header(2).u32(0xFFFFFFFFu).xy(1, 2).b, "point count 4294967295");
  check(Wkb{}.header(3).u32(1000).u32(0).b, "ring count 1000");
  check(Wkb{}.header(7).u32(0x10000000u).b, "geometry count");
  check(Wkb{}.header(4).u32(1).append(line({{0, 0}})).b, "LINESTRING inside a MULTIPOINT");
  check(Wkb{}.header(6).u32(1).append(point(1, 2)).append(point(1, 2)).b,
        "POINT inside a MULTIPOLYGON");
  check(point(std::numeric_limits<double>::quiet_NaN(), 1).b, "not a finite number");
  check(point(1, -std::numeric_limits<double>::infinity()).b, "byte 13");
  check(point(1, 2).b + "x", "1 trailing bytes");
  // Empty input is truncated.
  CHECK(error_of("").code == Errc::truncated);
}

TEST_CASE("WKB to WKT: every truncated prefix of a valid WKB is an error") {
  Wkb gc;
  gc.header(7).u32(4).append(point(1, 2, false)).append(square()).append(line({{0, 0}, {1, 1}}));
  Wkb mpoly;
  mpoly.header(6, false).u32(1).append(square(false));
  gc.append(mpoly);
  REQUIRE(wkt(gc.b).starts_with("GEOMETRYCOLLECTION(POINT(1 2),POLYGON("));
  for (size_t n = 0; n < gc.b.size(); ++n) {
    std::string out;
    const Status st = wkb_to_wkt(gc.b.substr(0, n), out);
    CHECK_MESSAGE(!st, "prefix " << n);
    CHECK(out.empty());
  }
}

}  // namespace
}  // namespace cdc
