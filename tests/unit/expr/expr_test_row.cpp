#include "expr_test_row.h"

#include "cdc/expr/value_ops.h"

namespace cdc::expr::testing {

std::unique_ptr<TestTable> make_test_table() {
  auto t = std::make_unique<TestTable>();
  t->schema.id = {"app", "orders"};
  auto add = [&](std::string name, ValueKind kind, Value v, bool nullable = true) {
    Column c;
    c.name = std::move(name);
    c.kind = kind;
    c.nullable = nullable;
    if (kind == ValueKind::decimal) {
      c.precision = 10;
      c.scale = v.aux;
    }
    c.fsp = v.fsp;
    t->schema.columns.push_back(std::move(c));
    t->row.push_back(v);
  };
  add("id", ValueKind::int64, Value::int64(42), false);
  add("neg", ValueKind::int64, Value::int64(-7));
  add("big", ValueKind::int64, Value::int64(INT64_MAX));
  add("small", ValueKind::int64, Value::int64(INT64_MIN));
  add("u64", ValueKind::uint64, Value::uint64(UINT64_MAX));
  add("price", ValueKind::decimal, Value::decimal("123.45", 2));
  add("qty", ValueKind::decimal, Value::decimal("3", 0));
  add("rate", ValueKind::decimal, Value::decimal("-0.125", 3));
  add("ratio", ValueKind::float64, Value::float64(2.5));
  add("f32", ValueKind::float32, Value::float32(1.5f));
  add("name", ValueKind::string, Value::string("Alice"));
  add("greek", ValueKind::string, Value::string("Σίσυφος"));
  add("cyr", ValueKind::string, Value::string("Привет"));
  add("emoji", ValueKind::string, Value::string("a😀b"));
  add("email", ValueKind::string, Value::string("alice.smith@example.com"));
  add("phone", ValueKind::string, Value::string("13812345678"));
  add("empty", ValueKind::string, Value::string(""));
  add("pad", ValueKind::string, Value::string("  hi  "));
  add("csv", ValueKind::string, Value::string("a,b,,c"));
  add("num_text", ValueKind::string, Value::string("123"));
  add("date_text", ValueKind::string, Value::string("2024-03-01 12:00:00"));
  add("nul", ValueKind::string, Value());
  add("nul_int", ValueKind::int64, Value());
  add("nul_dec", ValueKind::decimal, Value());
  add("flag", ValueKind::boolean, Value::boolean(true));
  add("off", ValueKind::boolean, Value::boolean(false));
  add("nul_bool", ValueKind::boolean, Value());
  add("d", ValueKind::date, Value::date(2024, 2, 29));
  add("dt", ValueKind::datetime, Value::datetime(2024, 3, 1, 12, 34, 56, 123456, 6));
  add("ts", ValueKind::timestamp, Value::timestamp_micros(1709296496000000, 3));
  add("t", ValueKind::time, Value::time_micros((10 * 3600 + 11 * 60 + 12) * 1000000LL, 0));
  add("doc", ValueKind::json,
      Value::json(
          R"({"a":{"b":[1,2,{"c":"x"}]},"s":"str","n":1.5,"i":-3,"t":true,"z":null,"k.e":"dot"})"));
  add("status", ValueKind::enum_label, Value::enum_label("active", 1));
  add("tags", ValueKind::set_labels, Value::set_labels("a,b", 3));
  add("bin", ValueKind::bytes, Value::bytes("ab\xff"));
  add("y", ValueKind::year, Value::year_value(2024));
  add("bits", ValueKind::bit, Value::bit(5, 8));
  return t;
}

std::string render(const Value& v) {
  std::string text;
  TimeZone utc;
  append_text(v, utc, text);
  auto quoted = [&](std::string_view prefix) { return std::string(prefix) + "'" + text + "'"; };
  switch (v.kind) {
    case ValueKind::null: return "NULL";
    case ValueKind::boolean:
    case ValueKind::int64: return text;
    case ValueKind::uint64: return "UNSIGNED " + text;
    case ValueKind::float32:
    case ValueKind::float64: return "DOUBLE " + text;
    case ValueKind::decimal: return quoted("DECIMAL ");
    case ValueKind::string: return quoted("");
    case ValueKind::bytes: return quoted("BYTES ");
    case ValueKind::json: return quoted("JSON ");
    case ValueKind::date: return quoted("DATE ");
    case ValueKind::time: return quoted("TIME ");
    case ValueKind::datetime: return quoted("TIMESTAMP ");
    case ValueKind::timestamp: return quoted("TIMESTAMP_LTZ ");
    default: return quoted(std::string(to_string(v.kind)) + " ");
  }
}

std::string evaluate(TestTable& table, std::string_view text, const CompileOptions& options) {
  Scope scope(table.schema);
  auto compiled = compile(text, scope, options, TextOrigin{});
  if (!compiled) return "ERROR: " + compiled.error().message;
  EvalRow row{table.row, {}, &table.arena, table.now_ms};
  Value out;
  Status st = (*compiled)->eval(row, out);
  const ExprType& type = (*compiled)->type();
  if (type.kind == ValueKind::boolean || type.kind == ValueKind::null) {
    // The filter form (test) must agree with eval: the same error, or TRUE exactly when eval
    // gives TRUE.
    bool passes = false;
    Status verdict = (*compiled)->test(row, passes);
    if (!verdict != !st || (!st && verdict.error().message != st.error().message)) {
      return "ERROR: test() and eval() disagree on failing";
    }
    if (st && passes != is_true(out)) return "ERROR: test() and eval() disagree on the verdict";
  }
  if (!st) return "ERROR: " + st.error().message;
  // The static type must admit the value: the output schema is derived from it.
  if (out.is_null() && !type.nullable) return "ERROR: NULL from a NOT NULL type";
  if (!out.is_null() && type.kind != ValueKind::null && out.kind != type.kind) {
    return "ERROR: value kind " + std::string(to_string(out.kind)) + " but static type " +
           type_name(type);
  }
  if (out.kind == ValueKind::decimal && out.aux != type.scale) {
    return "ERROR: decimal scale " + std::to_string(out.aux) + " but static type " +
           type_name(type);
  }
  return render(out);
}

}  // namespace cdc::expr::testing
