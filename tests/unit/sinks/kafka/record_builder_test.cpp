// RecordBuilder: which records each change becomes in each format (keys and upsert values
// exact, Debezium and canal values checked through a JSON parser), topic templates, configured
// key columns, tables without a primary key, and the schema-change record.
#include "sinks/kafka/record_builder.h"
#include "tests/support/kept_schema.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

using namespace cdc;
using namespace cdc::sinks::kafka;

namespace {

struct Rec {
  std::string topic;
  std::string key;    // "<null>" for a null key
  std::string value;  // "<tombstone>" for a null value
};

std::vector<Rec> build(RecordBuilder& b, const ChangeEvent& e) {
  auto records = b.build(e);
  REQUIRE_MESSAGE(records, (records ? "" : records.error().message));
  std::vector<Rec> out;
  for (const OutRecord& r : *records) {
    out.push_back({std::string(r.topic), r.key ? std::string(*r.key) : "<null>",
                   r.value ? std::string(*r.value) : "<tombstone>"});
  }
  return out;
}

std::shared_ptr<TableSchema> users(bool with_pk = true) {
  auto s = std::make_shared<TableSchema>();
  s->id = {"shop", "users"};
  Column id;
  id.name = "id";
  id.source_type = "int(11)";
  id.kind = ValueKind::int64;
  Column name;
  name.name = "name";
  name.source_type = "varchar(20)";
  name.kind = ValueKind::string;
  name.charset = "utf8mb4";
  s->columns = {id, name};
  if (with_pk) s->primary_key = {0};
  return s;
}

struct Rows {
  std::vector<Value> before, after;
};

ChangeEvent event(Op op, TableSchemaPtr schema, const Rows& rows) {
  ChangeEvent e;
  e.op = op;
  e.schema = testing::kept_schema(std::move(schema));
  if (!rows.before.empty()) e.before = RowImage(rows.before);
  if (!rows.after.empty()) e.after = RowImage(rows.after);
  e.source.connector = "mysql";
  e.source.name = "p";
  e.source.at = BinlogEventPosition{"mysql-bin.000003", BinlogOffset{1234}};
  return e;
}

KafkaOptions options(json::Format f) {
  KafkaOptions o;
  o.pipeline = std::string("p");  // a literal trips g++ 12's -Wrestrict (PR 105329)
  o.topic_prefix = std::string("p");
  o.format = f;
  return o;
}

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  auto doc = parser.parse(json);
  REQUIRE(doc.error() == simdjson::SUCCESS);
  auto v = doc.value()[name];
  if (v.error() != simdjson::SUCCESS) return "<absent>";
  return simdjson::minify(v.value());
}

}  // namespace

TEST_CASE("debezium-json: one record per change, a tombstone after a delete") {
  const auto o = options(json::Format::debezium_json);
  RecordBuilder b(o);
  const auto s = users();
  const Rows ins{{}, {Value::int64(1), Value::string("ann")}};
  auto r = build(b, event(Op::insert, s, ins));
  REQUIRE(r.size() == 1);
  CHECK(r[0].topic == "p.shop.users");
  CHECK(r[0].key == R"({"id":1})");
  CHECK(field(r[0].value, "op") == R"("c")");
  CHECK(field(r[0].value, "after") == R"({"id":1,"name":"ann"})");

  const Rows del{{Value::int64(1), Value::string("ann")}, {}};
  r = build(b, event(Op::erase, s, del));
  REQUIRE(r.size() == 2);
  CHECK(r[0].key == R"({"id":1})");
  CHECK(field(r[0].value, "op") == R"("d")");
  CHECK(field(r[0].value, "before") == R"({"id":1,"name":"ann"})");
  CHECK(r[1].key == R"({"id":1})");
  CHECK(r[1].value == "<tombstone>");
}

TEST_CASE("debezium-json: tombstones.on.delete false writes the delete alone") {
  auto o = options(json::Format::debezium_json);
  o.tombstones_on_delete = false;
  RecordBuilder b(o);
  const Rows del{{Value::int64(1), Value::string("ann")}, {}};
  CHECK(build(b, event(Op::erase, users(), del)).size() == 1);
}

TEST_CASE(
    "upsert: row after the change, tombstone on delete, old key deleted when the key changes") {
  const auto o = options(json::Format::upsert);
  RecordBuilder b(o);
  const auto s = users();
  const Rows upd{{Value::int64(1), Value::string("ann")}, {Value::int64(1), Value::string("anna")}};
  auto r = build(b, event(Op::update, s, upd));
  REQUIRE(r.size() == 1);
  CHECK(r[0].key == R"({"id":1})");
  CHECK(r[0].value == R"({"id":1,"name":"anna"})");

  const Rows moved{{Value::int64(1), Value::string("anna")},
                   {Value::int64(7), Value::string("anna")}};
  r = build(b, event(Op::update, s, moved));
  REQUIRE(r.size() == 2);
  CHECK(r[0].key == R"({"id":1})");
  CHECK(r[0].value == "<tombstone>");
  CHECK(r[1].key == R"({"id":7})");
  CHECK(r[1].value == R"({"id":7,"name":"anna"})");

  const Rows del{{Value::int64(7), Value::string("anna")}, {}};
  r = build(b, event(Op::erase, s, del));
  REQUIRE(r.size() == 1);
  CHECK(r[0].key == R"({"id":7})");
  CHECK(r[0].value == "<tombstone>");

  ChangeEvent truncate = event(Op::truncate, s, {});
  CHECK(build(b, truncate).empty());
  CHECK(b.skipped() == 1);
}

TEST_CASE("canal-json: one record per change, no tombstones") {
  const auto o = options(json::Format::canal_json);
  RecordBuilder b(o);
  const Rows del{{Value::int64(1), Value::string("ann")}, {}};
  auto r = build(b, event(Op::erase, users(), del));
  REQUIRE(r.size() == 1);
  CHECK(r[0].key == R"({"id":1})");
  CHECK(field(r[0].value, "type") == R"("DELETE")");
}

TEST_CASE("keys: configured columns, tables without a primary key, a missing column") {
  auto o = options(json::Format::upsert);
  RecordBuilder no_pk(o);
  const Rows ins{{}, {Value::int64(1), Value::string("ann")}};
  auto r = build(no_pk, event(Op::insert, users(false), ins));
  REQUIRE(r.size() == 1);
  CHECK(r[0].key == "<null>");

  o.key_columns = {"name"};
  RecordBuilder by_name(o);
  r = build(by_name, event(Op::insert, users(false), ins));
  CHECK(r[0].key == R"({"name":"ann"})");

  o.key_columns = {"email"};
  RecordBuilder missing(o);
  auto bad = missing.build(event(Op::insert, users(), ins));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_config);
  CHECK(bad.error().message == "sink.key.columns: table shop.users has no column 'email'");
}

TEST_CASE("topics: template, fixed topic, bad templates") {
  auto o = options(json::Format::upsert);
  o.topic_template = "cdc-{db}_{table}";
  RecordBuilder b(o);
  const Rows ins{{}, {Value::int64(1), Value::string("ann")}};
  CHECK(build(b, event(Op::insert, users(), ins))[0].topic == "cdc-shop_users");
  o.topic = "all";
  RecordBuilder fixed(o);
  CHECK(build(fixed, event(Op::insert, users(), ins))[0].topic == "all");

  auto unknown = expand_topic("{prefix}.{schema}", "p", TableId{"a", "b"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("unknown placeholder {schema}") != std::string::npos);
  CHECK_FALSE(expand_topic("{db", "p", TableId{"a", "b"}));
  CHECK(*expand_topic("{prefix}.{db}.{table}", "p", TableId{"a", "b"}) == "p.a.b");
}

TEST_CASE("schema changes: Debezium's schema-change record on the configured topic") {
  auto o = options(json::Format::debezium_json);
  o.schema_change_topic = "p.schema-changes";
  RecordBuilder b(o);
  ChangeEvent e = event(Op::schema_change, users(), {});
  e.source.query = "ALTER TABLE users ADD COLUMN name VARCHAR(20)";
  auto r = build(b, e);
  REQUIRE(r.size() == 1);
  CHECK(r[0].topic == "p.schema-changes");
  CHECK(r[0].key == R"({"databaseName":"shop"})");
  CHECK(field(r[0].value, "ddl") == R"j("ALTER TABLE users ADD COLUMN name VARCHAR(20)")j");
  CHECK(
      field(r[0].value, "tableChanges") ==
      R"([{"type":"ALTER","id":"\"shop\".\"users\"","table":{"primaryKeyColumnNames":["id"],"columns":[)"
      R"j({"name":"id","typeName":"INT","typeExpression":"int(11)","charsetName":null,"position":1,"optional":true},)j"
      R"j({"name":"name","typeName":"VARCHAR","typeExpression":"varchar(20)","charsetName":"utf8mb4","position":2,"optional":true}]}}])j");
  o.schema_change_topic.clear();
  RecordBuilder off(o);
  CHECK(build(off, e).empty());
}

TEST_CASE("partial row images: upsert fails or skips a partial row; debezium-json omits") {
  const auto s = users();
  // A MINIMAL insert that gave only the id (name absent).
  const Rows ins{{}, {Value::int64(1), Value()}};
  const uint32_t absent[] = {1};
  auto e = event(Op::insert, s, ins);
  e.after.absent = absent;

  auto fail = options(json::Format::upsert);
  RecordBuilder failing(fail);
  auto r = failing.build(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message ==
        "the insert of shop.users at mysql-bin.000003:1234 has no value for column(s) name (the "
        "writing session had binlog_row_image=MINIMAL or NOBLOB), and the upsert format writes "
        "whole rows: set binlog_row_image=FULL in that session, or row-image.partial: skip to "
        "leave such changes out");

  auto skip = options(json::Format::upsert);
  skip.partial_rows = json::PartialRowPolicy::skip;
  RecordBuilder skipping(skip);
  CHECK(build(skipping, e).empty());
  // A delete with only the key in its before image is a tombstone as usual.
  const Rows del{{Value::int64(1), Value()}, {}};
  auto d = event(Op::erase, s, del);
  d.before.absent = absent;
  auto recs = build(skipping, d);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].key == R"({"id":1})");
  CHECK(recs[0].value == "<tombstone>");

  const auto dbz = options(json::Format::debezium_json);
  RecordBuilder debezium(dbz);
  recs = build(debezium, e);
  REQUIRE(recs.size() == 1);
  CHECK(field(recs[0].value, "after") == R"({"id":1})");
}
