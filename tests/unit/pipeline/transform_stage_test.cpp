#include "cdc/pipeline/transform_stage.h"

#include <doctest/doctest.h>

#include "tests/unit/config/problem_lines.h"

using namespace cdc;
using pipeline::TransformRule;
using pipeline::TransformStage;

namespace {

// mydb.web_order (id PK, order_id, product_name, province), the table of Flink's examples.
TableSchemaPtr web_order(std::string table = "web_order") {
  auto s = std::make_shared<TableSchema>();
  s->id = {"mydb", std::move(table)};
  s->columns = {
      {.name = "id", .source_type = "int(11)", .kind = ValueKind::int64, .nullable = false},
      {.name = "order_id", .source_type = "int(11)", .kind = ValueKind::int64},
      {.name = "product_name", .source_type = "varchar(32)", .kind = ValueKind::string},
      {.name = "province", .source_type = "varchar(32)", .kind = ValueKind::string}};
  s->primary_key = {0};
  return s;
}

RowImage row(Batch& batch, int64_t id, int64_t order_id, std::string_view product,
             std::string_view province) {
  auto values = batch.arena.make_array<Value>(4);
  values[0] = Value::int64(id);
  values[1] = Value::int64(order_id);
  values[2] = Value::string(batch.arena.copy(product));
  values[3] = Value::string(batch.arena.copy(province));
  return RowImage(values);
}

ChangeEvent insert(Batch& b, const TableSchemaPtr& s, int64_t id, int64_t order_id,
                   std::string_view product, std::string_view province) {
  return ChangeEvent{
      .op = Op::insert, .schema = b.hold(s), .after = row(b, id, order_id, product, province)};
}

// "name=value" of each column of an image, values rendered plainly.
std::string show(const TableSchema& schema, const RowImage& image) {
  std::string out;
  for (size_t i = 0; i < image.size; ++i) {
    const Value& v = image[i];
    out += (i ? " " : "") + schema.columns[i].name + "=";
    switch (v.kind) {
      case ValueKind::null: out += "NULL"; break;
      case ValueKind::int64: out += std::to_string(v.i); break;
      case ValueKind::boolean: out += v.i ? "TRUE" : "FALSE"; break;
      default: out += std::string(v.text);
    }
  }
  return out;
}

std::unique_ptr<TransformStage> stage_of(std::vector<TransformRule> rules) {
  auto stage = TransformStage::create(std::move(rules));
  INFO((stage ? std::string() : stage.error().message));
  REQUIRE(stage);
  return std::move(*stage);
}

TransformRule rule(std::string source_table, std::string projection, std::string filter = "") {
  TransformRule r;
  r.source_table = std::move(source_table);
  r.projection = std::move(projection);
  r.projection_origin = {"p.yaml", 7, 17, ""};
  r.filter = std::move(filter);
  r.filter_origin = {"p.yaml", 8, 13, ""};
  return r;
}

}  // namespace

TEST_CASE("transform: computed columns, metadata columns and the derived output schema") {
  auto stage = stage_of({rule(
      "mydb.web_order",
      "id, order_id, UPPER(product_name) as product_name, "
      "__namespace_name__ || '.' || __schema_name__ || '.' || __table_name__ identifier_name, "
      "__data_event_type__ AS op, order_id * 2 AS doubled")});
  auto schema = web_order();
  Batch batch;
  batch.events.push_back(insert(batch, schema, 1, 50, "apple", "shanghai"));
  batch.events.push_back(ChangeEvent{.op = Op::update,
                                     .schema = batch.hold(schema),
                                     .before = row(batch, 1, 50, "apple", "shanghai"),
                                     .after = row(batch, 1, 50, "kiwi", "shanghai")});
  batch.events.push_back(ChangeEvent{
      .op = Op::erase, .schema = batch.hold(schema), .before = row(batch, 2, 60, "fig", "x")});
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 3);
  const TableSchema& out = *batch.events[0].schema;
  CHECK(out.id == TableId{"mydb", "web_order"});
  REQUIRE(out.columns.size() == 6);
  CHECK(out.columns[0].source_type == "int(11)");  // a copied column keeps its source type
  CHECK(out.columns[2].name == "product_name");
  CHECK(out.columns[2].kind == ValueKind::string);
  CHECK(out.columns[2].source_type == "STRING");  // Flink type names (expr::output_column)
  CHECK(out.columns[3].name == "identifier_name");
  CHECK(out.columns[5].kind == ValueKind::int64);
  CHECK(out.columns[5].source_type == "BIGINT");
  CHECK(out.primary_key == std::vector<uint32_t>{0});
  CHECK(
      show(out, batch.events[0].after) ==
      "id=1 order_id=50 product_name=APPLE identifier_name=mydb.mydb.web_order op=+I doubled=100");
  CHECK(
      show(out, batch.events[1].before) ==
      "id=1 order_id=50 product_name=APPLE identifier_name=mydb.mydb.web_order op=-U doubled=100");
  CHECK(show(out, batch.events[1].after) ==
        "id=1 order_id=50 product_name=KIWI identifier_name=mydb.mydb.web_order op=+U doubled=100");
  CHECK(batch.events[2].op == Op::erase);
  CHECK_FALSE(batch.events[2].after.present);
  CHECK(show(out, batch.events[2].before) ==
        "id=2 order_id=60 product_name=FIG identifier_name=mydb.mydb.web_order op=-D doubled=120");
  // One plan and one output schema per source schema version.
  CHECK(batch.events[0].schema == batch.events[2].schema);
}

TEST_CASE("transform: '*' with a column replaced in place, or listed first") {
  auto stage = stage_of({rule("mydb.web_order", "\\*, UPPER(product_name) as product_name"),
                         rule("mydb.app_order", "UPPER(product_name) as product_name, *")});
  Batch batch;
  batch.events.push_back(insert(batch, web_order(), 1, 50, "apple", "sh"));
  batch.events.push_back(insert(batch, web_order("app_order"), 1, 50, "apple", "sh"));
  REQUIRE(stage->process(batch));
  CHECK(show(*batch.events[0].schema, batch.events[0].after) ==
        "id=1 order_id=50 product_name=APPLE province=sh");
  CHECK(show(*batch.events[1].schema, batch.events[1].after) ==
        "product_name=APPLE id=1 order_id=50 province=sh");
  CHECK(batch.events[1].schema->primary_key == std::vector<uint32_t>{1});
}

TEST_CASE(
    "transform: filters on source columns, on computed columns, deletes judged by their before "
    "image") {
  auto stage = stage_of({rule("mydb.web_order", "", "id > 10 AND order_id > 100"),
                         rule("mydb.computed", "id, order_id, UPPER(province) as new_province",
                              "new_province = 'SHANGHAI'")});
  auto plain = web_order();
  auto computed = web_order("computed");
  Batch batch;
  batch.events.push_back(insert(batch, plain, 1, 500, "a", "x"));   // id too small
  batch.events.push_back(insert(batch, plain, 11, 150, "b", "x"));  // kept
  batch.events.push_back(insert(batch, plain, 12, 90, "c", "x"));   // order_id too small
  batch.events.push_back(ChangeEvent{
      .op = Op::erase, .schema = batch.hold(plain), .before = row(batch, 13, 130, "d", "x")});
  batch.events.push_back(insert(batch, computed, 1, 1, "a", "shanghai"));
  batch.events.push_back(insert(batch, computed, 2, 2, "b", "beijing"));
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 3);
  CHECK(batch.events[0].after[0].i == 11);
  CHECK(batch.events[0].schema == plain.get());  // no projection: rows and schema pass as they are
  CHECK(batch.events[1].before[0].i == 13);
  CHECK(show(*batch.events[2].schema, batch.events[2].after) ==
        "id=1 order_id=1 new_province=SHANGHAI");
}

TEST_CASE("transform: classification mapping, the first rule whose filter passes takes the row") {
  auto stage = stage_of(
      {rule("mydb.web_order", "id, order_id", "UPPER(province) = 'SHANGHAI'"),
       rule("mydb.web_order", "order_id as id, id as order_id", "UPPER(province) = 'BEIJING'")});
  auto schema = web_order();
  Batch batch;
  batch.events.push_back(insert(batch, schema, 1, 100, "a", "shanghai"));
  batch.events.push_back(insert(batch, schema, 2, 200, "b", "beijing"));
  batch.events.push_back(insert(batch, schema, 3, 300, "c", "hangzhou"));  // no rule takes it
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 2);
  CHECK(show(*batch.events[0].schema, batch.events[0].after) == "id=1 order_id=100");
  CHECK(show(*batch.events[1].schema, batch.events[1].after) == "id=200 order_id=2");
  CHECK(batch.events[1].schema->primary_key ==
        std::vector<uint32_t>{1});  // the key follows the column
}

TEST_CASE("transform: SOFT_DELETE turns a delete into an insert marked -D") {
  TransformRule r = rule("\\.*.\\.*", "\\*, __data_event_type__ AS op_type");
  r.soft_delete = true;
  auto stage = stage_of({r});
  auto schema = web_order();
  Batch batch;
  batch.events.push_back(insert(batch, schema, 1, 1, "a", "x"));
  batch.events.push_back(ChangeEvent{
      .op = Op::erase, .schema = batch.hold(schema), .before = row(batch, 1, 1, "a", "x")});
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 2);
  CHECK(show(*batch.events[0].schema, batch.events[0].after) ==
        "id=1 order_id=1 product_name=a province=x op_type=+I");
  CHECK(batch.events[1].op == Op::insert);
  CHECK_FALSE(batch.events[1].before.present);
  CHECK(show(*batch.events[1].schema, batch.events[1].after) ==
        "id=1 order_id=1 product_name=a province=x op_type=-D");
}

TEST_CASE("transform: primary-keys and partition-keys overrides, column shorthands, skip-ops") {
  TransformRule keys = rule("mydb.web_order", "id, order_id, UPPER(product_name) as product_name");
  keys.primary_keys = {"order_id", "PRODUCT_NAME"};
  keys.partition_keys = {"product_name"};
  TransformRule exclude = rule("mydb.excluded", "");
  exclude.exclude_columns = {"province"};
  exclude.skip_ops = {Op::erase};
  TransformRule include = rule("mydb.included", "");
  include.include_columns = {"province", "id"};
  auto stage = stage_of({keys, exclude, include});
  auto excluded = web_order("excluded");
  Batch batch;
  batch.events.push_back(insert(batch, web_order(), 1, 10, "a", "x"));
  batch.events.push_back(insert(batch, excluded, 2, 20, "b", "y"));
  batch.events.push_back(ChangeEvent{
      .op = Op::erase, .schema = batch.hold(excluded), .before = row(batch, 2, 20, "b", "y")});
  batch.events.push_back(insert(batch, web_order("included"), 3, 30, "c", "z"));
  batch.events.push_back(insert(batch, web_order("untouched"), 4, 40, "d", "w"));
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 4);
  const TableSchema& k = *batch.events[0].schema;
  CHECK(k.primary_key == std::vector<uint32_t>{1, 2});
  CHECK(k.partition_key == std::vector<uint32_t>{2});
  CHECK_FALSE(k.columns[2].nullable);  // a key column is NOT NULL downstream
  CHECK(show(*batch.events[1].schema, batch.events[1].after) == "id=2 order_id=20 product_name=b");
  CHECK(show(*batch.events[2].schema, batch.events[2].after) == "province=z id=3");
  CHECK(batch.events[2].schema->primary_key == std::vector<uint32_t>{1});
  CHECK(batch.events[3].schema->id.table == "untouched");
  CHECK(batch.events[3].after.size == 4);
}

TEST_CASE("transform: errors name the file position, the table, the column and the expression") {
  const auto error_of = [](TransformRule r, const char* table = "web_order") {
    auto stage = stage_of({std::move(r)});
    Batch batch;
    batch.events.push_back(insert(batch, web_order(table), 1, 1, "a", "x"));
    auto st = stage->process(batch);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::invalid_config);
    return st.error().message;
  };
  CHECK(error_of(rule("mydb.web_order", "id, UPPER(nmae) AS n")) ==
        "p.yaml:7:21: transform[0] projection for table mydb.web_order: at column 7 of "
        "'UPPER(nmae)': "
        "unknown column 'nmae' in table mydb.web_order");
  CHECK(error_of(rule("mydb.web_order", "", "product_name + 1 > 0")) ==
        "p.yaml:8:13: transform[0] filter for table mydb.web_order: at column 1 of "
        "'product_name + 1 > 0': operator + needs numbers, got STRING (use CAST(... AS DECIMAL(p, "
        "s)) or CONCAT)");
  CHECK(error_of(rule("mydb.web_order", "order_id, product_name")) ==
        "transform[0] for table mydb.web_order: the projection drops primary key column 'id'; "
        "project it or "
        "set primary-keys");
  TransformRule pk = rule("mydb.web_order", "id, order_id");
  pk.primary_keys = {"product_name"};
  CHECK(error_of(pk) ==
        "transform[0] for table mydb.web_order: primary-keys names 'product_name', which is not an "
        "output "
        "column (columns: id, order_id)");

  auto syntax = TransformStage::create({rule("mydb.web_order", "id, (order_id")});
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().message ==
        "p.yaml:7:17: transform[0] projection: at column 14 of 'id, (order_id': missing ')'");
}

// Issue 19: `sluice validate` refuses, without a server, what `run` would refuse for any table.
TEST_CASE("transform: check_rules finds every problem that needs no table, create the first") {
  std::vector<TransformRule> rules = {
      rule("mydb.web_order", "id, NOSUCHFN(id) AS x, UPPER(a, b) AS y", "id >>> 3"),
      rule("mydb.web_order", "REGEXP(x, '(unclosed') AS r, SUBSTR(name, 'x') AS s",
           "d > DATE '2024-13-01'"),
      rule("mydb.web_order", "id, order_id AS id", "id + 1"),
      rule("mydb.(", "id"),
  };
  std::vector<std::string> messages;
  for (const Error& e : TransformStage::check_rules(rules)) {
    CHECK(e.code == Errc::invalid_config);
    messages.push_back(e.message);
  }
  CHECK(messages ==
        std::vector<std::string>{
            "p.yaml:7:21: transform[0] projection: at column 1 of 'NOSUCHFN(id)': unknown "
            "function NOSUCHFN",
            "p.yaml:7:40: transform[0] projection: at column 1 of 'UPPER(a, b)': UPPER takes 1 "
            "argument, got 2",
            "p.yaml:8:13: transform[0] filter: at column 5 of 'id >>> 3': expected an "
            "expression, found '>'",
            "p.yaml:7:17: transform[1] projection: at column 11 of 'REGEXP(x, '(unclosed')': "
            "invalid regular expression at character 10 of '(unclosed': missing closing "
            "parenthesis",
            "p.yaml:7:46: transform[1] projection: at column 14 of 'SUBSTR(name, 'x')': SUBSTR "
            "needs an integer here, got STRING",
            "p.yaml:8:13: transform[1] filter: at column 5 of 'd > DATE '2024-13-01'': invalid "
            "DATE literal '2024-13-01' (expected 'YYYY-MM-DD')",
            "transform[2]: the projection names column 'id' twice",
            "transform[2]: filter 'id + 1' is of type int64, expected a boolean condition",
            "transform[3] source-table: table pattern 'mydb.(' is not a valid regex: Mismatched "
            "'(' and ')' in regular expression",
        });
  auto created = TransformStage::create(rules);
  REQUIRE_FALSE(created);
  CHECK(created.error().message == messages.front());
  // Column names and their types are the table's business: these wait for it.
  CHECK(TransformStage::check_rules({rule("mydb.web_order", "nmae, UPPER(x) AS u",
                                          "no_such_column LIKE 'a%' AND op_ts > 0")})
            .empty());
}

TEST_CASE("transform: check() compiles the plans for a known schema before any event") {
  auto stage = stage_of({rule("mydb.web_order", "id, CHAR_LENGTH(product_name) AS len")});
  auto out = stage->check(web_order());
  REQUIRE(out);
  CHECK((*out)->columns.size() == 2);
  CHECK((*out)->columns[1].kind == ValueKind::int64);
  auto other = web_order("other");
  CHECK(*stage->check(other) == other);
  auto bad = stage_of({rule("mydb.web_order", "id, nope")})->check(web_order());
  REQUIRE_FALSE(bad);
}

TEST_CASE(
    "transform: a projection of leading columns reuses the row; a filter may name a renamed one") {
  auto stage = stage_of({rule("mydb.web_order", "id AS key, order_id", "key > 1")});
  auto schema = web_order();
  Batch batch;
  batch.events.push_back(insert(batch, schema, 1, 10, "a", "x"));
  batch.events.push_back(insert(batch, schema, 2, 20, "b", "y"));
  const Value* source_row = batch.events[1].after.data;
  REQUIRE(stage->process(batch));
  REQUIRE(batch.events.size() == 1);
  CHECK(show(*batch.events[0].schema, batch.events[0].after) == "key=2 order_id=20");
  CHECK(batch.events[0].after.data == source_row);  // no copy
  CHECK(batch.events[0].schema->primary_key == std::vector<uint32_t>{0});
}

TEST_CASE("transform: a partial row image passes copy-only rules renumbered, stops the others") {
  auto stage = stage_of(
      {rule("mydb.web_order", "province, id"), rule("mydb.computed", "id, UPPER(province) as p")});
  Batch batch;
  // A MINIMAL update: before = the key; after = the key and order_id (province, product_name
  // absent from both).
  const uint32_t before_absent[] = {1, 2, 3};
  const uint32_t after_absent[] = {2, 3};
  ChangeEvent e{.op = Op::update,
                .schema = batch.hold(web_order()),
                .before = row(batch, 1, 0, "", ""),
                .after = row(batch, 1, 7, "", "")};
  e.before.absent = before_absent;
  e.after.absent = after_absent;
  batch.events.push_back(e);
  REQUIRE(stage->process(batch));
  const ChangeEvent& out = batch.events[0];
  CHECK(std::vector<uint32_t>(out.after.absent.begin(), out.after.absent.end()) ==
        std::vector<uint32_t>{0});  // province, now first
  CHECK(std::vector<uint32_t>(out.before.absent.begin(), out.before.absent.end()) ==
        std::vector<uint32_t>{0});

  Batch computed;
  ChangeEvent c = e;
  c.schema = computed.hold(web_order("computed"));
  computed.events.push_back(c);
  auto st = stage->process(computed);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(st.error().message.find("the row image leaves columns out (the writing session had "
                                "binlog_row_image=MINIMAL or NOBLOB), and this rule filters or "
                                "computes columns") != std::string::npos);
}
