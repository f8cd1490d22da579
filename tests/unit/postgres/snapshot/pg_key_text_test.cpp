#include "cdc/postgres/snapshot/pg_key_text.h"

#include <doctest/doctest.h>

#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_types.h"

using namespace cdc;
using namespace cdc::postgres;

namespace {

// text -> Value (as the snapshot and the stream read it) -> key text -> Value again: equal.
void round_trip(uint32_t type_oid, int32_t typmod, std::string_view text) {
  INFO("oid " << type_oid << ", '" << text << "'");
  PgTypeRegistry registry;
  Arena arena;
  auto column = pg_column(registry, "k", type_oid, typmod);
  REQUIRE(column);
  auto v = pg_text_value(registry, *column, type_oid, typmod, text, arena);
  REQUIRE_MESSAGE(v, (v ? "" : v.error().to_string()));
  auto key = pg_key_text(*column, *v);
  REQUIRE_MESSAGE(key, (key ? "" : key.error().to_string()));
  auto again = pg_text_value(registry, *column, type_oid, typmod, *key, arena);
  REQUIRE_MESSAGE(again, (again ? "" : again.error().to_string()));
  CHECK(again->kind == v->kind);
  CHECK(*again == *v);
}

}  // namespace

TEST_CASE("pg_key_text writes every key kind back as text PostgreSQL reads as the same value") {
  round_trip(oid::kBool, -1, "t");
  round_trip(oid::kBool, -1, "f");
  round_trip(oid::kInt2, -1, "-32768");
  round_trip(oid::kInt4, -1, "2147483647");
  round_trip(oid::kInt8, -1, "-9223372036854775808");
  round_trip(oid::kNumeric, -1, "-12345678901234567890.000100");
  round_trip(oid::kFloat4, -1, "1.17549435e-38");
  round_trip(oid::kFloat8, -1, "0.1");
  round_trip(oid::kFloat8, -1, "-1.7976931348623157e+308");
  round_trip(oid::kText, -1, "ä 'quoted' \\ text");
  round_trip(oid::kVarchar, -1, "");
  round_trip(oid::kUuid, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  round_trip(oid::kBytea, -1, "\\x00ff7f80");
  round_trip(oid::kBytea, -1, "\\x");
  round_trip(oid::kDate, -1, "2024-02-29");
  round_trip(oid::kDate, -1, "0001-01-01 BC");
  round_trip(oid::kDate, -1, "0044-03-15 BC");
  round_trip(oid::kTime, -1, "23:59:59.999999");
  round_trip(oid::kTime, -1, "00:00:00");
  round_trip(oid::kTimestamp, -1, "2024-02-29 12:34:56.123456");
  round_trip(oid::kTimestamp, -1, "0044-03-15 12:00:00 BC");
  round_trip(oid::kTimestamptz, -1, "1969-12-31 23:59:59.5+00");
  round_trip(oid::kTimestamptz, -1, "2262-04-11 23:47:16.854775+00");
  round_trip(oid::kTimestamptz, -1, "0010-01-01 00:00:00+00 BC");
  round_trip(oid::kTime, -1, "12:00:00.1");
  round_trip(oid::kTimetz, -1, "12:34:56.5+05:30");
  round_trip(oid::kInet, -1, "192.168.0.1/24");
  round_trip(oid::kBit, 5, "10110");
}

TEST_CASE("pg_key_text refuses a key it cannot write back, naming the column") {
  PgTypeRegistry registry;
  auto column = pg_column(registry, "doc", oid::kJsonb, -1);
  REQUIRE(column);
  auto key = pg_key_text(*column, Value::json("{\"a\":1}"));
  REQUIRE_FALSE(key);
  CHECK(key.error().code == Errc::unsupported);
  CHECK(key.error().message.find("key column doc (jsonb") != std::string::npos);
  CHECK_FALSE(pg_key_text(*column, Value::null_value()));
  // An interval's Value is ISO 8601 text, which is not what PostgreSQL printed.
  auto interval = pg_column(registry, "span", oid::kInterval, -1);
  REQUIRE(interval);
  CHECK_FALSE(pg_key_text(*interval, Value::string("P1D")));
}
