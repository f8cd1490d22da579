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
