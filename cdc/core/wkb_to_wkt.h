// OGC Well-Known Binary -> Well-Known Text, for GEOMETRY values rendered as text
// (`geometry.format: wkt`). A bounds-checked reader of 2-D WKB (both byte orders, mixed per
// geometry): Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon and
// GeometryCollection nested at most kMaxWkbDepth deep. Coordinates print as shortest round-trip
// doubles ("POINT(0.1 -2)", "1e308", "2.5e-7", -0 as "0"); the text follows MariaDB's ST_AsText
// (no space after commas, MULTIPOINT members without parentheses, "GEOMETRYCOLLECTION EMPTY").
// Known spelling difference: where to switch between plain and exponent notation at very large
// or small magnitudes (server: "1.2345678901234568e17", "-0.00000025"; here: the shorter of
// the two, "123456789012345680", "-2.5e-7"); digits and value are the same. Malformed input (an
// unknown or Z/M type, a count beyond the bytes, NaN/infinite coordinates, trailing bytes) is
// Errc::malformed / Errc::truncated naming the byte offset, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc {

inline constexpr int kMaxWkbDepth = 32;

// Appends the WKT of the whole `wkb` to `out` (unchanged on error).
Status wkb_to_wkt(std::string_view wkb, std::string& out);

}  // namespace cdc
