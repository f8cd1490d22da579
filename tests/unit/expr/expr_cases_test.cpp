// Runs tests/unit/expr/expr_cases.txt: one `expression → expected` case per line,
// evaluated against the fixed test row (expr_test_row.h). Expected is a rendered typed value
// (42, DECIMAL '1.50', 'text', NULL, ...) or `ERROR: <substring of the message>`. Lines
// `@option name=value` change the CompileOptions of the following cases. Every failing line
// is reported with its number.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "expr_test_row.h"

using namespace cdc::expr;

TEST_CASE("expr_cases.txt: every expression gives its expected value") {
  const std::string path = std::string(SLUICE_SOURCE_DIR) + "/tests/unit/expr/expr_cases.txt";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  auto table = testing::make_test_table();
  CompileOptions options;
  std::string line;
  int line_no = 0, cases = 0, failures = 0;
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
      ++failures;
      continue;
    }
    std::string expression = line.substr(0, split);
    std::string expected = line.substr(split + arrow.size());
    std::string actual = testing::evaluate(*table, expression, options);
    ++cases;
    bool ok =
        expected.starts_with("ERROR: ")
            ? actual.starts_with("ERROR: ") && actual.find(expected.substr(7)) != std::string::npos
            : actual == expected;
    if (!ok) {
      ++failures;
      FAIL_CHECK("expr_cases.txt:" << line_no << ": " << expression << "\n  expected: " << expected
                                   << "\n  actual:   " << actual);
    }
  }
  MESSAGE(cases << " cases, " << failures << " failing");
  CHECK(cases >= 300);
}
