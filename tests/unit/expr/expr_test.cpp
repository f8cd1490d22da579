// Unit tests of the expression engine's API: compile() errors with origins, parse_projection(),
// static types (the output schema), extras and shadowing, and the evaluation contract.
#include <doctest/doctest.h>

#include "cdc/expr/expression.h"
#include "expr_test_row.h"

using namespace cdc;
using namespace cdc::expr;

namespace {

Result<std::unique_ptr<Expression>> compile_on(const TableSchema& schema, std::string_view text,
                                               const TextOrigin& origin = {}) {
  Scope scope(schema);
  return compile(text, scope, CompileOptions{}, origin);
}

}  // namespace

TEST_CASE("compile: errors name the YAML origin, the context and the column in the text") {
  auto table = testing::make_test_table();
  TextOrigin origin{"pipeline.yaml", 14, 19, "transform filter"};
  auto r = compile_on(table->schema, "id > 10 AND", origin);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  CHECK(r.error().message ==
        "pipeline.yaml:14:19: transform filter: at column 12 of 'id > 10 AND': expected an "
        "expression after AND");
  TextOrigin projection{"pipeline.yaml", 3, 5, "transform projection for table app.orders"};
  auto unknown = compile_on(table->schema, "UPPER(nmae)", projection);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message ==
        "pipeline.yaml:3:5: transform projection for table app.orders: at column 7 of "
        "'UPPER(nmae)': unknown column 'nmae' in table app.orders (did you mean 'name'?)");
  auto empty = compile_on(table->schema, "  ", origin);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "pipeline.yaml:14:19: transform filter: empty expression");
}

TEST_CASE("compile: runtime errors carry the expression text and position") {
  auto table = testing::make_test_table();
  CHECK(testing::evaluate(*table, "id + big") ==
        "ERROR: expression 'id + big': at column 4: BIGINT overflow in 42 + 9223372036854775807");
}

TEST_CASE("compile: static types give the output schema") {
  auto table = testing::make_test_table();
  struct Case {
    const char* text;
    ValueKind kind;
    bool nullable;
    uint32_t precision, scale;
  };
  const Case cases[] = {
      {"id + 1", ValueKind::int64, false, 0, 0},
      {"7", ValueKind::int64, false, 0, 0},
      {"id / 2", ValueKind::int64, true, 0, 0},          // division by zero gives NULL
      {"price + 1", ValueKind::decimal, true, 13, 2},    // DECIMAL(10,2) + INT as DECIMAL(10,0)
      {"price + big", ValueKind::decimal, true, 22, 2},  // BIGINT is DECIMAL(19,0)
      {"price * price", ValueKind::decimal, true, 21, 4},
      {"price / qty", ValueKind::decimal, true, 21, 13},  // scale max(6, 2 + 10 + 1)
      {"UPPER(name)", ValueKind::string, true, 0, 0},
      {"CHAR_LENGTH(name)", ValueKind::int64, true, 0, 0},
      {"id > 1", ValueKind::boolean, false, 0, 0},
      {"nul IS NULL", ValueKind::boolean, false, 0, 0},
      {"CAST(id AS DECIMAL(12, 3))", ValueKind::decimal, false, 12, 3},
      {"COALESCE(nul, 'x')", ValueKind::string, false, 0, 0},
      {"NOW()", ValueKind::timestamp, false, 0, 0},
      {"ROUND(price, 1)", ValueKind::decimal, true, 10, 1},
  };
  for (const Case& c : cases) {
    const std::string text = c.text;
    CAPTURE(text);
    auto r = compile_on(table->schema, c.text);
    REQUIRE(r);
    const ExprType& t = (*r)->type();
    CHECK(t.kind == c.kind);
    CHECK(t.nullable == c.nullable);
    CHECK(t.precision == c.precision);  // 0 unless DECIMAL (no INT-literal hint leaks)
    CHECK(t.scale == c.scale);
    CHECK((*r)->text() == c.text);
  }
}

TEST_CASE("compile: extras are visible by name, shadow columns, and read EvalRow::extra") {
  auto table = testing::make_test_table();
  Scope scope(table->schema);
  ExprType str;
  str.kind = ValueKind::string;
  scope.add_extra("__table_name__", str, 0);
  scope.add_extra("name", str, 1);  // shadows the column
  auto r = compile("CONCAT(__TABLE_NAME__, ':', name)", scope, {}, {});
  REQUIRE(r);
  Value extra[] = {Value::string("orders"), Value::string("shadow")};
  EvalRow row{table->row, extra, &table->arena, 0};
  Value out;
  REQUIRE((*r)->eval(row, out));
  CHECK(testing::render(out) == "'orders:shadow'");
}

TEST_CASE("eval: a row shorter than the compiled schema is an error, not a crash") {
  auto table = testing::make_test_table();
  auto r = compile_on(table->schema, "bits + 1");
  REQUIRE(r);
  EvalRow row{std::span<const Value>(table->row).first(3), {}, &table->arena, 0};
  Value out;
  Status st = (*r)->eval(row, out);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("the row has 3 values but column 'bits'") != std::string::npos);
}

TEST_CASE("eval: numeric and boolean results use no arena memory") {
  auto table = testing::make_test_table();
  auto filter = compile_on(table->schema, "id > 10 AND price BETWEEN 1 AND 200 AND name LIKE 'A%'");
  auto computed = compile_on(table->schema, "CHAR_LENGTH(UPPER(name)) + ABS(neg) * 2");
  REQUIRE(filter);
  REQUIRE(computed);
  Arena arena;
  EvalRow row{table->row, {}, &arena, 0};
  Value out;
  REQUIRE((*filter)->eval(row, out));
  CHECK(is_true(out));
  size_t after_filter = arena.bytes_used();
  CHECK(after_filter == 0);
  REQUIRE((*computed)->eval(row, out));
  CHECK(out.i == 19);
}

TEST_CASE("parse_projection: items, aliases, star and top-level commas only") {
  auto r = parse_projection(
      "*, UPPER(name) AS up, CONCAT(a, ',', b) AS `x y`, CASE WHEN a IN (1, 2) THEN 'p,q' END, "
      "id+1 as next",
      {});
  REQUIRE(r);
  REQUIRE(r->size() == 5);
  CHECK((*r)[0].star);
  CHECK((*r)[0].offset == 0);
  CHECK((*r)[1].expression == "UPPER(name)");
  CHECK((*r)[1].alias == "up");
  CHECK((*r)[1].offset == 3);
  CHECK((*r)[2].expression == "CONCAT(a, ',', b)");
  CHECK((*r)[2].alias == "x y");
  CHECK((*r)[3].expression == "CASE WHEN a IN (1, 2) THEN 'p,q' END");
  CHECK_FALSE((*r)[3].alias.has_value());
  CHECK((*r)[4].expression == "id+1");
  CHECK((*r)[4].alias == "next");
}

TEST_CASE("parse_projection: errors point at the problem") {
  TextOrigin origin{"p.yaml", 7, 3, "transform projection"};
  auto trailing = parse_projection("a, b,", origin);
  REQUIRE_FALSE(trailing);
  CHECK(trailing.error().message ==
        "p.yaml:7:3: transform projection: at column 6 of 'a, b,': empty projection item (two "
        "commas, or a trailing comma)");
  auto paren = parse_projection("UPPER(a, b", origin);
  REQUIRE_FALSE(paren);
  CHECK(paren.error().message.find("at column 11 of 'UPPER(a, b': missing ')'") !=
        std::string::npos);
  auto alias = parse_projection("a AS", origin);
  REQUIRE_FALSE(alias);
  CHECK(alias.error().message.find("expected an alias after AS") != std::string::npos);
  auto star = parse_projection("* AS x", origin);
  REQUIRE_FALSE(star);
  CHECK(star.error().message.find("'*' cannot have an alias") != std::string::npos);
  auto empty = parse_projection("", origin);
  REQUIRE_FALSE(empty);
  auto quote = parse_projection("a, \"b\"", origin);
  REQUIRE_FALSE(quote);
  CHECK(quote.error().message.find("at column 4") != std::string::npos);
}

TEST_CASE("compile: deep nesting is refused, not a stack overflow") {
  auto table = testing::make_test_table();
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  auto r = compile_on(table->schema, deep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("nested too deeply") != std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain = "NOT " + chain;
  auto n = compile_on(table->schema, "id > 0 AND " + chain + " = 1");
  REQUIRE_FALSE(n);
}

TEST_CASE("output_column: the projected column a sink sees") {
  ExprType dec;
  dec.kind = ValueKind::decimal;
  dec.precision = 13;
  dec.scale = 2;
  dec.nullable = false;
  Column c = output_column("total", dec);
  CHECK(c.name == "total");
  CHECK(c.kind == ValueKind::decimal);
  CHECK_FALSE(c.nullable);
  CHECK(c.precision == 13);
  CHECK(c.scale == 2);
  CHECK(c.source_type == "DECIMAL(13, 2)");
  ExprType null_type;
  Column n = output_column("x", null_type);
  CHECK(n.kind == ValueKind::string);
  CHECK(n.nullable);
  ExprType ts;
  ts.kind = ValueKind::timestamp;
  ts.fsp = 3;
  CHECK(output_column("t", ts).source_type == "TIMESTAMP_LTZ(3)");
}

TEST_CASE("regex: long input and catastrophic backtracking end in a value or a clear error") {
  TableSchema schema;
  schema.id = {"db", "t"};
  Column c;
  c.name = "s";
  c.kind = ValueKind::string;
  schema.columns.push_back(c);
  std::string long_text(1 << 20, 'a');  // 1 MiB
  long_text += "c";
  std::vector<Value> values{Value::string(long_text)};
  Arena arena;
  EvalRow row{values, {}, &arena, 0};
  Scope scope(schema);
  auto run = [&](std::string_view text, Value& out) {
    auto e = compile(text, scope, {}, {});
    REQUIRE(e);
    return (*e)->eval(row, out);
  };
  Value out;
  // A group repeated a million times needs more backtracking stack than the 1 MiB JIT stack
  // per thread: a clean error for that row (java.util.regex throws StackOverflowError here).
  Status long_match = run("REGEXP(s, '^(a|b)*c$')", out);
  REQUIRE_FALSE(long_match);
  CHECK(long_match.error().message ==
        "expression 'REGEXP(s, '^(a|b)*c$')': at column 1: REGEXP failed: JIT stack limit reached");
  REQUIRE(run("REGEXP(s, '^[ab]*c$')", out));  // the same language without a group: fine
  CHECK(is_true(out));
  REQUIRE(run("REGEXP(s, 'c$')", out));
  CHECK(is_true(out));
  REQUIRE(run("CHAR_LENGTH(REGEXP_REPLACE(s, 'a', 'bb'))", out));
  CHECK(out.i == (2 << 20) + 1);
  const std::string backtracking = std::string(40, 'a') + "!";  // outlives the Value's view
  values[0] = Value::string(backtracking);
  Status st = run("REGEXP(s, '^(a+)+$')", out);  // exponential without limits
  if (!st) {
    CHECK(st.error().message.find("REGEXP failed: ") != std::string::npos);
  } else {
    CHECK_FALSE(is_true(out));  // PCRE2's auto-possessification may defuse it: then no match
  }
  const std::string many_a(100000, 'a');
  values[0] = Value::string(many_a);
  REQUIRE(run("s LIKE '%a%a%a%a%a%b'", out));  // one backtrack point: linear, not exponential
  CHECK_FALSE(is_true(out));
  values[0] = Value::string("\xff\xfe not utf-8 \xc3");
  REQUIRE(run("REGEXP(s, 'not')", out));
  CHECK(is_true(out));
  REQUIRE(run("UPPER(s) LIKE '%NOT UTF-8%'", out));
  CHECK(is_true(out));
}
