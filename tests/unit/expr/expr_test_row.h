// The fixed table and row the expression tests evaluate against: one column of every Value
// kind (and NULLs), plus a helper that renders a result as a typed literal ("DECIMAL '1.50'",
// "'text'", "TIMESTAMP_LTZ '...'") so tests compare kind and payload in one string.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cdc/expr/expression.h"

namespace cdc::expr::testing {

struct TestTable {
  TableSchema schema;
  std::vector<Value> row;
  Arena arena;
  int64_t now_ms = 1709296496789;  // 2024-03-01 12:34:56.789 UTC
};

std::unique_ptr<TestTable> make_test_table();

// NULL, TRUE, 42, DECIMAL '1.50', DOUBLE 2.5, 'text', BYTES 'x', JSON '{}', DATE '...',
// TIME '...', TIMESTAMP '...' (zoneless), TIMESTAMP_LTZ '...' (shown in UTC).
std::string render(const Value& v);

// Compiles and evaluates `text` against the test row; "ERROR: <message>" on failure.
std::string evaluate(TestTable& table, std::string_view text, const CompileOptions& options = {});

}  // namespace cdc::expr::testing
