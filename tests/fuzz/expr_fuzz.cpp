// Fuzz target expr: the transform expression engine (cdc/expr/expression.h) on
// arbitrary text: parse_projection() and compile() against a table with a column of every
// kind, then eval() of what compiles (and test(), the filter path, of boolean ones), under both
// overflow/division settings; and compile() with columns of unknown type refuses only what the
// table refuses. The text comes from a user's YAML, so any input must give a
// value or an error with the documented code: never a crash, a hang or an error of another code.
#include <string>
#include <string_view>

#include "cdc/expr/expression.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/unit/expr/expr_test_row.h"

using namespace cdc;
using namespace cdc::expr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // YAML values are short; long inputs only slow the search
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static auto table = testing::make_test_table();

  auto items = parse_projection(text, {});
  if (!items) {
    FUZZ_CHECK(items.error().code == Errc::invalid_config, "parse_projection: error code");
  } else {
    for (const ProjectionItem& item : *items) {
      FUZZ_CHECK(item.offset <= text.size(), "projection item offset past the text");
      FUZZ_CHECK(item.star || !item.expression.empty(), "empty projection item accepted");
    }
  }

  Scope scope(table->schema);
  // `sluice validate` compiles with every column of unknown type (issue 19): what the table
  // accepts must compile there too (the reason for a refusal may differ: 'nmae + 1' is an
  // unknown column with the table, 'nmae + 'x'' a string in arithmetic without it).
  {
    static const TableSchema no_table;
    Scope unknown(no_table);
    unknown.bind_unknown_columns();
    if (!compile(text, unknown, {}, TextOrigin{})) {
      FUZZ_CHECK(!compile(text, scope, {}, TextOrigin{}),
                 "refused with columns of unknown type, compiles with the table");
    }
  }
  for (int variant = 0; variant < 2; ++variant) {
    CompileOptions options;
    options.overflow_is_null = variant == 1;
    options.division_by_zero_is_error = variant == 1;
    auto compiled = compile(text, scope, options, TextOrigin{"fuzz.yaml", 1, 1, "fuzz"});
    if (!compiled) {
      FUZZ_CHECK(compiled.error().code == Errc::invalid_config, "compile: error code");
      FUZZ_CHECK(compiled.error().message.starts_with("fuzz.yaml:1:1: fuzz: "),
                 "compile: error without its origin");
      return 0;
    }
    Arena arena;
    EvalRow row{table->row, {}, &arena, table->now_ms};
    Value out;
    Status st = (*compiled)->eval(row, out);
    if (const ValueKind kind = (*compiled)->type().kind;
        kind == ValueKind::boolean || kind == ValueKind::null) {
      // The filter path must agree with eval(): the same failure, and TRUE exactly when eval's.
      bool passes = false;
      Status verdict = (*compiled)->test(row, passes);
      FUZZ_CHECK(!verdict == !st, "test() and eval() disagree on failing");
      FUZZ_CHECK(!st || passes == is_true(out), "test() and eval() disagree on the verdict");
    }
    if (!st) {
      FUZZ_CHECK(st.error().code == Errc::malformed, "eval: error code");
      continue;
    }
    const ExprType& type = (*compiled)->type();
    FUZZ_CHECK(!out.is_null() || type.nullable, "NULL from a NOT NULL type");
    FUZZ_CHECK(out.is_null() || type.kind == ValueKind::null || out.kind == type.kind,
               "value kind differs from the static type");
    (void)testing::render(out);
  }
  return 0;
}
