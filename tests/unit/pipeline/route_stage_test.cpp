#include "cdc/pipeline/route_stage.h"

#include <doctest/doctest.h>

using namespace cdc;
using pipeline::RouteMode;
using pipeline::TablePattern;

namespace {

TableSchemaPtr table(std::string db, std::string name) {
  auto s = std::make_shared<TableSchema>();
  s->id = {std::move(db), std::move(name)};
  s->columns = {{.name = "id", .kind = ValueKind::int64}};
  s->primary_key = {0};
  return s;
}

ChangeEvent insert(Batch& batch, const TableSchemaPtr& schema, int64_t id) {
  auto row = batch.arena.make_array<Value>(1);
  row[0] = Value::int64(id);
  return ChangeEvent{.op = Op::insert, .schema = batch.hold(schema), .after = RowImage(row)};
}

}  // namespace

TEST_CASE("table pattern: Flink's dot convention") {
  CHECK(*TablePattern::to_ecmascript("app_db.order_\\d+") == "app_db\\.order_\\d+");
  CHECK(*TablePattern::to_ecmascript("source_db.\\.*") == "source_db\\..*");
  CHECK(*TablePattern::to_ecmascript("\\.*.\\.*") == ".*\\..*");
  CHECK(*TablePattern::to_ecmascript("a.[.x]") == "a\\.[.x]");  // a class keeps its '.'
  auto three = TablePattern::to_ecmascript("a.b.c");
  REQUIRE_FALSE(three);
  CHECK(three.error().message ==
        "table pattern 'a.b.c' has 3 dot-separated parts; expected db.table (write '\\.' for the "
        "regex 'any character')");

  auto p = *TablePattern::compile("source_db.\\.*, other.t_\\d{1,2}");
  CHECK(p.matches({"source_db", "anything"}));
  CHECK(p.matches({"other", "t_12"}));
  CHECK_FALSE(p.matches({"other", "t_123"}));
  CHECK_FALSE(p.matches({"source_dbx", "t"}));  // '.' is the separator, not any character
  CHECK_FALSE(p.matches({"other_db", "t_1"}));
  auto bad = TablePattern::compile("a.(");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind("table pattern 'a.(' is not a valid regex: ", 0) == 0);
}

TEST_CASE("route: all-match (Flink's default) sends a table to every matching rule") {
  auto stage = pipeline::RouteStage::create({{"mydb.orders", "sink_db.orders"},
                                             {"mydb.orders", "backup_sink_db.orders"},
                                             {"mydb.x", "s.x"}});
  REQUIRE(stage);
  CHECK((*stage)->route_all({"mydb", "orders"}) ==
        std::vector<TableId>{{"sink_db", "orders"}, {"backup_sink_db", "orders"}});

  auto orders = table("mydb", "orders");
  auto x = table("mydb", "x");
  Batch batch;
  batch.events.push_back(insert(batch, orders, 1));
  batch.events.push_back(insert(batch, x, 2));
  batch.events.push_back(insert(batch, orders, 3));
  REQUIRE((*stage)->process(batch));
  REQUIRE(batch.events.size() == 5);
  const std::vector<std::pair<std::string, int64_t>> expected = {{"sink_db.orders", 1},
                                                                 {"backup_sink_db.orders", 1},
                                                                 {"s.x", 2},
                                                                 {"sink_db.orders", 3},
                                                                 {"backup_sink_db.orders", 3}};
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(batch.events[i].schema->id.to_string() == expected[i].first);
    CHECK(batch.events[i].after[0].i == expected[i].second);
  }
  CHECK(batch.events[0].schema == batch.events[3].schema);  // one copy per version and target
}

TEST_CASE("route: first-match mode, replace symbol and $n capture groups") {
  auto stage = pipeline::RouteStage::create({{"app_db.order_items_\\d+", "ods.order_items"},
                                             {"app_db.\\.*", "ods.ods_<>"},
                                             {"(\\w+)_db.(\\w+)_(\\d+)", "$1.$2_p$3"},
                                             {"raw.\\.*", "<>"}},
                                            RouteMode::first_match);
  REQUIRE(stage);
  CHECK((*stage)->route({"app_db", "order_items_7"}) == TableId{"ods", "order_items"});
  CHECK((*stage)->route({"app_db", "customers"}) == TableId{"ods", "ods_customers"});
  CHECK((*stage)->route({"shop_db", "user_42"}) == TableId{"shop", "user_p42"});
  CHECK((*stage)->route({"raw", "t"}) == TableId{"raw", "t"});  // no database: keeps the source's
  CHECK_FALSE((*stage)->route({"other", "customers"}).has_value());
  CHECK_FALSE((*stage)->route({"app_dbx", "t"}).has_value());
  CHECK((*stage)->route_all({"app_db", "order_items_7"}).size() == 1);
}

TEST_CASE("route: many-to-one merge keeps the source table in a column when asked") {
  auto stage = *pipeline::RouteStage::create({{.source_table = "shop.order_\\d+",
                                               .sink_table = "shop.orders",
                                               .source_table_column = "src"}});
  auto o1 = table("shop", "order_1");
  auto o2 = table("shop", "order_2");
  auto other = table("shop", "customers");
  Batch batch;
  batch.events.push_back(insert(batch, o1, 10));
  batch.events.push_back(insert(batch, o2, 20));
  batch.events.push_back(insert(batch, other, 30));
  auto before = batch.arena.make_array<Value>(1);
  before[0] = Value::int64(11);
  batch.events.push_back(
      ChangeEvent{.op = Op::erase, .schema = batch.hold(o1), .before = RowImage(before)});
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 4);
  const ChangeEvent& first = batch.events[0];
  CHECK(first.schema->id == TableId{"shop", "orders"});
  REQUIRE(first.schema->columns.size() == 2);
  CHECK(first.schema->columns[1].name == "src");
  CHECK(first.schema->columns[1].kind == ValueKind::string);
  CHECK_FALSE(first.schema->columns[1].nullable);
  REQUIRE(first.after.size == 2);
  CHECK(first.after[0].i == 10);
  CHECK(first.after[1].text == "shop.order_1");
  CHECK(batch.events[1].after[1].text == "shop.order_2");
  CHECK(batch.events[2].schema == other.get());  // unmatched: untouched
  CHECK(batch.events[2].after.size == 1);
  CHECK_FALSE(batch.events[3].after.present);
  REQUIRE(batch.events[3].before.size == 2);
  CHECK(batch.events[3].before[1].text == "shop.order_1");
  CHECK(batch.events[3].schema == first.schema);

  auto clash = *pipeline::RouteStage::create({{.source_table = "shop.order_\\d+",
                                               .sink_table = "shop.orders",
                                               .source_table_column = "id"}});
  Batch b2;
  b2.events.push_back(insert(b2, o1, 1));
  auto st = clash->process(b2);
  REQUIRE_FALSE(st);
  CHECK(st.error().message ==
        "route to shop.orders: source-table-column 'id' is already a column of shop.order_1");
}

TEST_CASE("route: bad patterns and sink tables are refused") {
  auto bad = pipeline::RouteStage::create({{"a.(", "b.c"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_config);
  CHECK(bad.error().message.rfind("route source-table: table pattern 'a.(' is not a valid regex: ",
                                  0) == 0);
  auto empty = pipeline::RouteStage::create({{"a.b", ""}});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "route sink-table '' must be db.table or table");
}
