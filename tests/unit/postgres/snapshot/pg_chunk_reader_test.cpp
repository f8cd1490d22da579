#include "cdc/postgres/snapshot/pg_chunk_reader.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::postgres;

namespace {

Column column(std::string name, ValueKind kind, std::string source_type) {
  Column c;
  c.name = std::move(name);
  c.kind = kind;
  c.source_type = std::move(source_type);
  return c;
}

}  // namespace

TEST_CASE("chunk queries: keyset over the whole key by row comparison, typed parameters") {
  TableSchema t;
  t.id = {"My Schema", "orders"};
  t.columns = {column("region", ValueKind::string, "character varying(8)"),
               column("Id", ValueKind::int64, "bigint"), column("note", ValueKind::string, "text")};
  t.primary_key = {0, 1};
  std::vector<std::string> params;
  auto first = PgChunkReader::chunk_query(t, {}, 500, params);
  REQUIRE(first);
  CHECK(*first ==
        "SELECT \"region\", \"Id\", \"note\" FROM \"My Schema\".\"orders\" ORDER BY \"region\", "
        "\"Id\" LIMIT 500");
  CHECK(params.empty());
  const std::vector<Value> after{Value::string("eu'w"), Value::int64(-7)};
  auto next = PgChunkReader::chunk_query(t, after, 500, params);
  REQUIRE(next);
  CHECK(*next ==
        "SELECT \"region\", \"Id\", \"note\" FROM \"My Schema\".\"orders\" WHERE (\"region\", "
        "\"Id\") > ($1::character varying(8), $2::bigint) ORDER BY \"region\", \"Id\" LIMIT 500");
  CHECK(params == std::vector<std::string>{"eu'w", "-7"});
  // A key of the wrong size is a bug of the caller, not a query.
  CHECK_FALSE(PgChunkReader::chunk_query(t, std::vector<Value>{Value::int64(1)}, 500, params));
  // No key: one pass, no order, no limit.
  t.primary_key.clear();
  auto all = PgChunkReader::chunk_query(t, {}, 0, params);
  REQUIRE(all);
  CHECK(*all == "SELECT \"region\", \"Id\", \"note\" FROM \"My Schema\".\"orders\"");
}

TEST_CASE("chunk queries: a part of a one-column key is bounded above, with or without after") {
  TableSchema t;
  t.id = {"public", "t"};
  t.columns = {column("id", ValueKind::int64, "integer"), column("v", ValueKind::string, "text")};
  t.primary_key = {0};
  std::vector<std::string> params;
  const std::vector<Value> after{Value::int64(10)}, through{Value::int64(20)};
  auto first = PgChunkReader::chunk_query(t, {}, 5, params, through);
  REQUIRE(first);
  CHECK(*first ==
        "SELECT \"id\", \"v\" FROM \"public\".\"t\" WHERE \"id\" <= $1::integer ORDER BY \"id\" "
        "LIMIT 5");
  CHECK(params == std::vector<std::string>{"20"});
  auto next = PgChunkReader::chunk_query(t, after, 5, params, through);
  REQUIRE(next);
  CHECK(*next ==
        "SELECT \"id\", \"v\" FROM \"public\".\"t\" WHERE (\"id\") > ($1::integer) AND \"id\" <= "
        "$2::integer ORDER BY \"id\" LIMIT 5");
  CHECK(params == std::vector<std::string>{"10", "20"});
  // An upper bound over a composite key is not a part the engine plans.
  t.primary_key = {0, 1};
  CHECK_FALSE(PgChunkReader::chunk_query(t, {}, 5, params, through));
}

TEST_CASE("ctid queries: blocks [first, end) from tuple 0, the last range open above") {
  TableSchema t;
  t.id = {"S", "no key"};
  t.columns = {column("a", ValueKind::int64, "integer"), column("b", ValueKind::string, "text")};
  CHECK(PgChunkReader::ctid_query(t, {3, 7}) ==
        "SELECT \"a\", \"b\" FROM \"S\".\"no key\" WHERE ctid >= '(3,0)'::tid AND ctid < "
        "'(7,0)'::tid");
  CHECK(PgChunkReader::ctid_query(t, {7, std::nullopt}) ==
        "SELECT \"a\", \"b\" FROM \"S\".\"no key\" WHERE ctid >= '(7,0)'::tid");
}
