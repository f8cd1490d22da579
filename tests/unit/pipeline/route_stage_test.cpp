#include "cdc/pipeline/route_stage.h"

#include <doctest/doctest.h>

using namespace cdc;

TEST_CASE("route: first matching rule wins and the replace symbol takes the table name") {
  auto stage = pipeline::RouteStage::create({{"app_db\\.order_items_\\d+", "ods.order_items", "<>"},
                                             {"app_db\\..*", "ods.ods_<>", "<>"}});
  REQUIRE(stage);
  CHECK((*stage)->route({"app_db", "order_items_7"}) == TableId{"ods", "order_items"});
  CHECK((*stage)->route({"app_db", "customers"}) == TableId{"ods", "ods_customers"});
  CHECK_FALSE((*stage)->route({"other", "customers"}).has_value());
  CHECK_FALSE((*stage)->route({"app_db_x", "t"}).has_value());  // full match, '.' escaped
}

TEST_CASE("route: events are re-targeted, schema versions cached, unmatched events untouched") {
  auto stage = *pipeline::RouteStage::create({{"a\\.t\\d", "b.merged", "<>"}});
  auto t1 = std::make_shared<TableSchema>(TableSchema{{"a", "t1"}, {{.name = "id"}}, {0}, 1});
  auto other = std::make_shared<TableSchema>(TableSchema{{"a", "x"}, {{.name = "id"}}, {0}, 1});
  Batch batch;
  for (int i = 0; i < 3; ++i) batch.events.push_back(ChangeEvent{.schema = t1});
  batch.events.push_back(ChangeEvent{.schema = other});
  REQUIRE(stage->process(batch));
  CHECK(batch.events[0].schema->id == TableId{"b", "merged"});
  CHECK(batch.events[0].schema == batch.events[2].schema);  // one copy per version
  CHECK(batch.events[0].schema->columns[0].name == "id");
  CHECK(batch.events[3].schema == other);
}

TEST_CASE("route: bad regexes and sink tables are refused") {
  auto bad = pipeline::RouteStage::create({{"a\\.(", "b.c", "<>"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_config);
  CHECK(bad.error().message.rfind("route source-table 'a\\.(' is not a valid regex: ", 0) == 0);
  auto no_db = pipeline::RouteStage::create({{"a\\.b", "nodb", "<>"}});
  REQUIRE_FALSE(no_db);
  CHECK(no_db.error().message == "route sink-table 'nodb' must be db.table");
}
