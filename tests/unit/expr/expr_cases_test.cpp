// Runs tests/unit/expr/expr_cases.txt: one `expression → expected` case per line,
// evaluated against the fixed test row (expr_test_row.h). Expected is a rendered typed value
// (42, DECIMAL '1.50', 'text', NULL, ...) or `ERROR: <substring of the message>`. Lines
// `@option name=value` change the CompileOptions of the following cases. Every failing line
// is reported with its number.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <string>

#include "expr_test_row.h"

using namespace cdc::expr;

namespace {

struct Case {
  int line_no = 0;
  std::string expression;
  std::string expected;
  const CompileOptions* options = nullptr;  // the @option settings in force
};

// Calls `f` for each case of expr_cases.txt; returns the number of cases.
int for_each_case(const std::function<void(const Case&)>& f) {
  const std::string path = std::string(SLUICE_SOURCE_DIR) + "/tests/unit/expr/expr_cases.txt";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  CompileOptions options;
  std::string line;
  int line_no = 0, cases = 0;
  const std::string arrow = " \xE2\x86\x92 ";  // " → "
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("@option ")) {
      std::string setting = line.substr(8);
      if (setting == "division_by_zero_is_error=true")
        options.division_by_zero_is_error = true;
      else if (setting == "division_by_zero_is_error=false")
        options.division_by_zero_is_error = false;
      else if (setting == "overflow_is_null=true")
        options.overflow_is_null = true;
      else if (setting == "overflow_is_null=false")
        options.overflow_is_null = false;
      else if (setting.starts_with("time_zone="))
        options.time_zone = setting.substr(10);
      else
        FAIL("line " << line_no << ": unknown option " << setting);
      continue;
    }
    size_t split = line.rfind(arrow);
    if (split == std::string::npos) {
      FAIL_CHECK("line " << line_no << ": no ' → ' in: " << line);
      continue;
    }
    ++cases;
    f(Case{line_no, line.substr(0, split), line.substr(split + arrow.size()), &options});
  }
  return cases;
}

}  // namespace

TEST_CASE("expr_cases.txt: every expression gives its expected value") {
  auto table = testing::make_test_table();
  int failures = 0;
  const int cases = for_each_case([&](const Case& c) {
    std::string actual = testing::evaluate(*table, c.expression, *c.options);
    bool ok = c.expected.starts_with("ERROR: ")
                  ? actual.starts_with("ERROR: ") &&
                        actual.find(c.expected.substr(7)) != std::string::npos
                  : actual == c.expected;
    if (!ok) {
      ++failures;
      FAIL_CHECK("expr_cases.txt:" << c.line_no << ": " << c.expression
                                   << "\n  expected: " << c.expected << "\n  actual:   " << actual);
    }
  });
  MESSAGE(cases << " cases, " << failures << " failing");
  CHECK(cases >= 300);
}

// What `sluice validate` relies on: compiled with every column of unknown type, an expression
// that compiles against a real table compiles (no false refusal), and an error found without the
// table is the error the table gives (same message: syntax, functions, arities, regexes,
// literals).
TEST_CASE("expr_cases.txt: columns of unknown type refuse nothing the test row accepts") {
  auto table = testing::make_test_table();
  cdc::TableSchema no_table;
  Scope unknown(no_table);
  unknown.bind_unknown_columns();
  int refused_without_table = 0;
  for_each_case([&](const Case& c) {
    auto with_table = compile(c.expression, Scope(table->schema), *c.options, TextOrigin{});
    auto without = compile(c.expression, unknown, *c.options, TextOrigin{});
    if (without) return;
    ++refused_without_table;
    if (with_table) {
      FAIL_CHECK("expr_cases.txt:" << c.line_no << ": " << c.expression
                                   << " is refused without a table: " << without.error().message);
    } else {
      CHECK_MESSAGE(without.error().message == with_table.error().message,
                    "expr_cases.txt:" << c.line_no);
    }
  });
  // The compile-time errors of the file that need no table (counted when this test was written:
  // a change here means a case moved between "needs the table" and "does not").
  CHECK(refused_without_table == 54);
}
