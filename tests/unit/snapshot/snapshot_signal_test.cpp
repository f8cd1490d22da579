#include "cdc/snapshot/snapshot_signal.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::snapshot;

TEST_CASE("a Debezium execute-snapshot signal names its tables, once each, in order") {
  auto t = parse_snapshot_signal(
      R"({"data-collections": ["shop.orders", "shop.items", "shop.orders"], "type": "INCREMENTAL"})");
  REQUIRE(t);
  CHECK(*t == std::vector<TableId>{{"shop", "orders"}, {"shop", "items"}});
  auto d = parse_snapshot_signal(R"({"data-collections": ["db.t.x"]})");  // type defaults
  REQUIRE(d);
  CHECK(*d == std::vector<TableId>{{"db", "t.x"}});
}

TEST_CASE("a bad signal is refused saying what is wrong") {
  struct Case {
    const char* data;
    const char* message;
  };
  const Case cases[] = {
      {"nope", "snapshot signal data: not JSON"},
      {"[1]", "snapshot signal data: expected a JSON object"},
      {R"({"type": "incremental"})",
       "snapshot signal data: expected \"data-collections\": an array of \"db.table\" names"},
      {R"({"data-collections": []})", "snapshot signal data: \"data-collections\" is empty"},
      {R"({"data-collections": ["t"]})", "snapshot signal data: 't' is not a \"db.table\" name"},
      {R"({"data-collections": [".t"]})", "snapshot signal data: '.t' is not a \"db.table\" name"},
      {R"({"data-collections": [7]})",
       "snapshot signal data: a \"data-collections\" entry is not a string"},
      {R"({"data-collections": ["a.b"], "type": "blocking"})",
       "snapshot signal data: type 'blocking' is not supported (only incremental: the stream "
       "goes on while the rows are read)"},
      {R"({"data-collections": ["a.b"], "type": 3})",
       "snapshot signal data: \"type\" is not a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.data);
    auto r = parse_snapshot_signal(c.data);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.rfind(c.message, 0) == 0);
  }
}

TEST_CASE("parse_signal_table: the option's two parts, or an error naming the form expected") {
  auto t = snapshot::parse_signal_table("public.sig", "schema.table");
  REQUIRE(t);
  CHECK(*t == TableId{"public", "sig"});
  for (const char* bad : {"sig", ".sig", "public.", ""}) {
    auto r = snapshot::parse_signal_table(bad, "db.table");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_config);
    CHECK(r.error().message ==
          "signal.data-collection: expected \"db.table\", found '" + std::string(bad) + "'");
  }
}
