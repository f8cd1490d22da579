#include "cdc/core/wkb_to_wkt.h"

#include <bit>
#include <charconv>
#include <cmath>

#include "cdc/core/byte_reader.h"

namespace cdc {

namespace {

enum WkbType : uint32_t {
  kPoint = 1,
  kLineString = 2,
  kPolygon = 3,
  kMultiPoint = 4,
  kMultiLineString = 5,
  kMultiPolygon = 6,
  kGeometryCollection = 7,
};

constexpr std::string_view kNames[] = {
    "",           "POINT",           "LINESTRING",   "POLYGON",
    "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};

class WktWriter {
 public:
  WktWriter(std::string_view wkb, std::string& out) : r_(wkb), out_(out) {}

  Status run() {
    geometry(0, 0);
    if (!r_.ok() || !error_.empty()) return failure();
    if (r_.remaining() != 0) {
      fail("WKB: " + std::to_string(r_.remaining()) + " trailing bytes after the geometry");
      return failure();
    }
    return {};
  }

 private:
  void fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }
  bool failed() const { return !r_.ok() || !error_.empty(); }
  Status failure() const {
    if (!error_.empty()) return make_error(Errc::malformed, error_);
    return r_.finish();
  }

  uint32_t u32(bool little) { return little ? r_.u32le() : r_.u32be(); }

  // A count, checked against the bytes left (each element needs at least `min_size` bytes), so
  // a forged count fails at once instead of looping.
  uint32_t count(bool little, size_t min_size, std::string_view what) {
    const size_t at = r_.offset();
    const uint32_t n = u32(little);
    if (failed()) return 0;
    if (static_cast<uint64_t>(n) * min_size > r_.remaining()) {
      fail("WKB at byte " + std::to_string(at) + ": " + std::string(what) + " count " +
           std::to_string(n) + " exceeds the " + std::to_string(r_.remaining()) + " bytes left");
      return 0;
    }
    return n;
  }

  void coordinate(bool little) {
    const size_t at = r_.offset();
    const uint64_t bits = little ? r_.u64le() : r_.u64be();
    if (failed()) return;
    const double d = std::bit_cast<double>(bits);
    if (!std::isfinite(d)) {
      fail("WKB at byte " + std::to_string(at) + ": coordinate is not a finite number");
      return;
    }
    // Shortest round-trip digits, spelled as the server's ST_AsText does: no exponent '+' nor
    // leading exponent zeros ("1e308", "2.5e-7") and -0 as "0".
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof(buf), d == 0 ? 0.0 : d);
    bool exponent_start = false;
    for (const char* p = buf; p != res.ptr; ++p) {
      if (exponent_start && (*p == '+' || (*p == '0' && p + 1 != res.ptr))) continue;
      if (exponent_start && *p == '-') {
        out_ += '-';
        continue;
      }
      exponent_start = *p == 'e';
      out_ += *p;
    }
  }

  void point(bool little) {
    coordinate(little);
    out_ += ' ';
    coordinate(little);
  }

  // "x y,x y,..." of `n` points.
  void points(bool little) {
    const uint32_t n = count(little, 16, "point");
    for (uint32_t i = 0; i < n && !failed(); ++i) {
      if (i != 0) out_ += ',';
      point(little);
    }
  }

  void rings(bool little) {
    const uint32_t n = count(little, 4, "ring");
    for (uint32_t i = 0; i < n && !failed(); ++i) {
      out_ += i != 0 ? ",(" : "(";
      points(little);
      out_ += ')';
    }
  }

  // Reads a byte order and type; returns the type (0 on failure). `expect` (non-zero) is the
  // member type a multi-geometry requires.
  uint32_t header(bool& little, uint32_t expect) {
    const size_t at = r_.offset();
    const uint8_t order = r_.u8();
    if (failed()) return 0;
    if (order > 1) {
      fail("WKB at byte " + std::to_string(at) + ": byte order " + std::to_string(order) +
           " (expected 0 or 1)");
      return 0;
    }
    little = order == 1;
    const uint32_t type = u32(little);
    if (failed()) return 0;
    if (type < kPoint || type > kGeometryCollection) {
      fail("WKB at byte " + std::to_string(at) + ": geometry type " + std::to_string(type) +
           " (only 2-D types 1..7 are supported)");
      return 0;
    }
    if (expect != 0 && type != expect) {
      fail("WKB at byte " + std::to_string(at) + ": " + std::string(kNames[type]) + " inside a " +
           std::string(kNames[expect + 3]));
      return 0;
    }
    return type;
  }

  void geometry(int depth, uint32_t expect) {
    if (depth > kMaxWkbDepth) {
      fail("WKB at byte " + std::to_string(r_.offset()) + ": collections nested deeper than " +
           std::to_string(kMaxWkbDepth));
      return;
    }
    bool little = true;
    const uint32_t type = header(little, expect);
    if (type == 0) return;
    out_ += kNames[type];
    if (type == kGeometryCollection) {
      const uint32_t n = count(little, 9, "geometry");
      if (n == 0) {
        if (!failed()) out_ += " EMPTY";
        return;
      }
      out_ += '(';
      for (uint32_t i = 0; i < n && !failed(); ++i) {
        if (i != 0) out_ += ',';
        geometry(depth + 1, 0);
      }
      out_ += ')';
      return;
    }
    out_ += '(';
    switch (type) {
      case kPoint: point(little); break;
      case kLineString: points(little); break;
      case kPolygon: rings(little); break;
      case kMultiPoint:
      case kMultiLineString:
      case kMultiPolygon: {
        const uint32_t member = type - 3;
        const uint32_t n = count(little, member == kPoint ? 21 : 9, "member");
        for (uint32_t i = 0; i < n && !failed(); ++i) {
          if (i != 0) out_ += ',';
          bool member_little = true;
          if (header(member_little, member) == 0) break;
          if (member == kPoint) {
            point(member_little);
          } else {
            out_ += '(';
            if (member == kLineString) {
              points(member_little);
            } else {
              rings(member_little);
            }
            out_ += ')';
          }
        }
        break;
      }
      default: break;
    }
    out_ += ')';
  }

  ByteReader r_;
  std::string& out_;
  std::string error_;
};

}  // namespace

Status wkb_to_wkt(std::string_view wkb, std::string& out) {
  const size_t start = out.size();
  WktWriter w(wkb, out);
  Status st = w.run();
  if (!st) out.resize(start);
  return st;
}

}  // namespace cdc
