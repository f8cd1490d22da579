// The transform expression language (Flink CDC's `projection`/`filter` SQL subset): parsed and
// type-checked once per table schema version, then evaluated per row with no parsing, name
// lookup or heap allocation (string results go into the batch's Arena).
//
// This header is the contract between the expression engine (cdc/expr/*.cpp) and the
// transform stage (cdc/pipeline/transform_stage.*). Keep it small. The types its functions
// take (TextOrigin, ExprType, Scope, CompileOptions, EvalRow) have headers of their own, which
// the engine's internals include instead of this one.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"
#include "cdc/expr/compile_options.h"
#include "cdc/expr/eval_row.h"
#include "cdc/expr/expr_type.h"
#include "cdc/expr/scope.h"
#include "cdc/expr/text_origin.h"

namespace cdc::expr {

// A compiled expression. Immutable and thread-safe after compile().
class Expression {
 public:
  virtual ~Expression() = default;
  // Evaluates into `out`. Errors (overflow, bad CAST at runtime, division by zero when so
  // configured) carry the expression text and what failed.
  virtual Status eval(const EvalRow& row, Value& out) const = 0;
  // A filter's verdict: `passes` is true when the result is TRUE (FALSE and NULL drop the row,
  // as is_true() says), without building the boolean Value. Errors as eval().
  virtual Status test(const EvalRow& row, bool& passes) const = 0;
  virtual const ExprType& type() const = 0;
  // The text it was compiled from (for error messages).
  virtual std::string_view text() const = 0;
};

// Parses and type-checks `text` against `scope`. Errors (Errc::invalid_config) name the
// origin, the 1-based column inside `text`, and what was expected:
//   "pipeline.yaml:14:19: transform filter: at column 12 of 'id > 10 AND': expected an
//    expression after AND"
//   "pipeline.yaml:14:19: transform projection for table app.orders: unknown column 'nmae'"
Result<std::unique_ptr<Expression>> compile(std::string_view text, const Scope& scope,
                                            const CompileOptions& options,
                                            const TextOrigin& origin);

// One item of a `projection:` list: `*`, an expression, or `expression AS alias`.
struct ProjectionItem {
  bool star = false;
  std::string expression;  // the item's text without the alias
  std::optional<std::string> alias;
  uint32_t offset = 0;  // byte offset of the item inside the projection text
};

// Splits a projection list on its top-level commas (not those inside parentheses, strings or
// CASE), and separates `AS alias`. Errors as compile().
Result<std::vector<ProjectionItem>> parse_projection(std::string_view text,
                                                     const TextOrigin& origin);

// The output schema column of a projected expression: kind, nullability, precision/scale/fsp
// from `type`, and a Flink-style source_type ("DECIMAL(13, 2)", "STRING", "TIMESTAMP_LTZ(3)",
// "BIGINT") for encoders that report types. A NULL-typed expression (the literal NULL) becomes
// a nullable STRING column.
Column output_column(std::string name, const ExprType& type);

}  // namespace cdc::expr
