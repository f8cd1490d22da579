// MySQL 9 VECTOR (242): hand-built TABLE_MAP + WRITE_ROWS bytes (Field_vector: a BLOB-style
// length prefix, meta = its byte count, then dims * 4 bytes of little-endian float32), decoded
// through the TABLE_MAP cache and the row-image decoder to Value::json arrays; NaN/infinity,
// lengths that are not whole floats and every truncated prefix are errors naming the column.
// Also the cache's geometry.format switch (GEOMETRY decoded to WKT).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/rows_event.h"
#include "cdc/mysql/binlog/table_map.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::Bytes;
using testing::put_int;
Bytes floats(std::initializer_list<float> v) {
  Bytes b;
  for (float f : v) put_int(b, std::bit_cast<uint32_t>(f), 4);
  return b;
}
void put_vector(Bytes& b, const Bytes& payload) {
  put_int(b, payload.size(), 4);
  b.insert(b.end(), payload.begin(), payload.end());
}

// TABLE_MAP demo.v (id INT, emb VECTOR(3)) with names and signedness, as MySQL 9 writes it:
// VECTOR (242) with 4 length bytes.
Bytes table_map_body() { return testing::two_column_table_map(42, "demo", "v", 242, 4, "emb"); }

// WRITE_ROWS v2 of the given rows (each: null bitmap, INT id, vector payload or
// NULL).
Bytes write_rows_body(const std::vector<std::pair<int32_t, const Bytes*>>& rows) {
  Bytes b;
  put_int(b, 42, 6);
  put_int(b, 1, 2);  // STMT_END
  put_int(b, 2, 2);  // no extra data
  b.push_back(std::byte{2});
  b.push_back(std::byte{0x03});
  for (const auto& [id, payload] : rows) {
    b.push_back(payload ? std::byte{0} : std::byte{0x02});
    put_int(b, static_cast<uint32_t>(id), 4);
    if (payload) put_vector(b, *payload);
  }
  return b;
}

struct Decoded {
  Status status;
  std::vector<std::vector<Value>> rows;
};

Decoded decode_rows(const TableVersion& tv, std::span<const std::byte> body, Arena& arena) {
  const auto ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
  auto ev = decode_rows_event(30, body, ctx);
  if (!ev) return {std::move(ev).error(), {}};
  Decoded out;
  ByteReader r(ev->rows);
  while (r.remaining() > 0) {
    std::vector<Value> row(tv.columns.size());
    out.status = decode_row_image(r, tv.columns, ev->present, arena, row);
    if (!out.status) return out;
    out.rows.push_back(std::move(row));
  }
  return out;
}

// Decoding one row (id 1, emb = `payload`) must fail as malformed, naming the column; returns
// the message for the caller's own checks.
std::string malformed_emb_error(const TableVersion& tv, const Bytes& payload) {
  Arena arena;
  const auto d = decode_rows(tv, write_rows_body({{1, &payload}}), arena);
  REQUIRE_FALSE(d.status);
  CHECK(d.status.error().code == Errc::malformed);
  const std::string msg = d.status.error().to_string();
  CHECK_MESSAGE(msg.find("`emb`") != std::string::npos, msg);
  return msg;
}

TableVersionPtr vector_table(TableMapCache& cache) {
  const auto body = table_map_body();
  auto map = decode_table_map(body, DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql));
  REQUIRE_MESSAGE(map, map.error().to_string());
  auto tv = cache.apply(std::move(*map));
  REQUIRE_MESSAGE(tv, tv.error().to_string());
  return *tv;
}

TEST_CASE(
    "VECTOR: TABLE_MAP + WRITE_ROWS decode to JSON arrays of float32, "
    "schema kind json") {
  TableMapCache cache;
  const auto tv = vector_table(cache);
  REQUIRE(tv->schema->columns.size() == 2);
  CHECK(tv->schema->columns[1].name == "emb");
  CHECK(tv->schema->columns[1].kind == ValueKind::json);
  CHECK(tv->schema->columns[1].source_type == "vector");

  const Bytes three = floats({1.5f, 2.0f, -0.25f});
  const Bytes empty;
  const Bytes precise = floats({0.1f, 3.4028235e38f, -1.1754944e-38f, 1e-45f, -0.0f, 16777216.0f});
  const Bytes one = floats({7.0f});
  Arena arena;
  const auto body =
      write_rows_body({{1, &three}, {2, &empty}, {3, &precise}, {4, nullptr}, {5, &one}});
  const auto d = decode_rows(*tv, body, arena);
  REQUIRE_MESSAGE(d.status, d.status.error().to_string());
  REQUIRE(d.rows.size() == 5);
  CHECK(d.rows[0][0] == Value::int64(1));
  CHECK(d.rows[0][1] == Value::json("[1.5,2,-0.25]"));
  CHECK(d.rows[1][1] == Value::json("[]"));
  // Shortest round-trip float32 text (0.1f prints as 0.1, not
  // 0.10000000149011612).
  CHECK(d.rows[2][1] == Value::json("[0.1,3.4028235e+38,-1.1754944e-38,1e-45,-0,16777216]"));
  CHECK(d.rows[3][1].kind == ValueKind::null);
  CHECK(d.rows[4][1] == Value::json("[7]"));
}

TEST_CASE(
    "VECTOR: NaN and infinities are malformed (JSON cannot carry them; "
    "MySQL rejects them)") {
  TableMapCache cache;
  const auto tv = vector_table(cache);
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    const Bytes payload = floats({1.0f, bad});
    const std::string msg = malformed_emb_error(*tv, payload);
    CHECK_MESSAGE(msg.find("element 1") != std::string::npos, msg);
  }
}

TEST_CASE(
    "VECTOR: a length that is not a multiple of 4 is malformed, naming "
    "the column") {
  TableMapCache cache;
  const auto tv = vector_table(cache);
  for (size_t len : {1u, 2u, 3u, 5u, 7u}) {
    Bytes payload(len, std::byte{0});
    const std::string msg = malformed_emb_error(*tv, payload);
    CHECK_MESSAGE(msg.find(std::to_string(len) + " bytes") != std::string::npos, msg);
  }
  // A bad length-prefix size in the metadata.
  Arena arena;
  const ColumnDecodeInfo bad{.type = 242, .real_type = 242, .meta = 5, .name = "emb"};
  Bytes b = floats({1.0f});
  ByteReader r(b);
  auto v = decode_column(r, bad, arena);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == Errc::malformed);
}

TEST_CASE(
    "VECTOR: every truncated prefix of a column value is an error, never "
    "a crash") {
  Bytes full;
  put_vector(full, floats({1.5f, 2.0f, -0.25f}));
  const ColumnDecodeInfo col{.type = 242, .real_type = 242, .meta = 4, .name = "emb"};
  for (size_t n = 0; n < full.size(); ++n) {
    Arena arena;
    ByteReader r(std::span<const std::byte>(full).first(n));
    auto v = decode_column(r, col, arena);
    CHECK_MESSAGE(!v, "prefix " << n);
    if (!v) CHECK(v.error().code == Errc::truncated);
  }
  Arena arena;
  ByteReader r(full);
  auto v = decode_column(r, col, arena);
  REQUIRE(v);
  CHECK(*v == Value::json("[1.5,2,-0.25]"));
  // Every prefix of a whole WRITE_ROWS body fails cleanly too.
  TableMapCache cache;
  const auto tv = vector_table(cache);
  const Bytes three = floats({1.5f, 2.0f, -0.25f});
  const auto body = write_rows_body({{1, &three}, {2, &three}});
  for (size_t n = 0; n < body.size(); ++n) {
    Arena a;
    const auto d = decode_rows(*tv, std::span<const std::byte>(body).first(n), a);
    // A prefix ending exactly after row 1 is a valid one-row event.
    if (d.status && d.rows.size() == 1) continue;
    CHECK_MESSAGE(!d.status, "prefix " << n);
  }
}

TEST_CASE("TableMapCache::set_geometry_wkt: GEOMETRY columns of later versions decode to WKT") {
  Bytes body = table_map_body();
  body[19] = std::byte{255};  // the second column becomes GEOMETRY (meta 4 length bytes, as VECTOR)
  auto map = decode_table_map(body, DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql));
  REQUIRE_MESSAGE(map, map.error().to_string());
  TableMapCache cache;
  cache.set_geometry_wkt(true);
  auto tv = cache.apply(std::move(*map));
  REQUIRE_MESSAGE(tv, tv.error().to_string());
  REQUIRE((*tv)->columns.size() == 2);
  CHECK((*tv)->columns[1].geometry_wkt);
  CHECK((*tv)->columns[1].real_type == 255);
  CHECK((*tv)->schema->columns[1].kind == ValueKind::geometry);
  Bytes row;
  put_int(row, 25, 4);
  put_int(row, 4326, 4);
  row.push_back(std::byte{1});
  put_int(row, 1, 4);
  put_int(row, std::bit_cast<uint64_t>(1.5), 8);
  put_int(row, std::bit_cast<uint64_t>(-2.0), 8);
  Arena arena;
  ByteReader r(row);
  auto v = decode_column(r, (*tv)->columns[1], arena);
  REQUIRE_MESSAGE(v, v.error().to_string());
  CHECK(*v == Value::geometry_wkt("POINT(1.5 -2)", 4326));
}

}  // namespace
}  // namespace cdc::mysql
