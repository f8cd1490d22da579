// The transform expression language (Flink CDC's `projection`/`filter` SQL subset): parsed and
// type-checked once per table schema version, then evaluated per row with no parsing, name
// lookup or heap allocation (string results go into the batch's Arena).
//
// This header is the contract between the expression engine (cdc/expr/*.cpp) and the
// transform stage (cdc/pipeline/transform_stage.*). Keep it small.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/change_event.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"

namespace cdc::expr {

// Where an expression's text starts, so errors point into the user's file:
// "pipeline.yaml:14:19: ... at column 7 of 'UPPER(name) ||'". line/column are 1-based; 0 when
// unknown (an expression built in code).
struct TextOrigin {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  // What the expression is, put after the position: "transform filter",
  // "transform projection for table app.orders". Empty: nothing.
  std::string context;
};

// The static type of an expression's result. `kind` uses the Value kinds; ValueKind::null means
// the literal NULL (compatible with everything).
struct ExprType {
  ValueKind kind = ValueKind::null;
  bool nullable = true;
  uint32_t precision = 0;  // decimal
  uint32_t scale = 0;      // decimal
  uint8_t fsp = 0;         // time/datetime/timestamp
};

// The names an expression may reference, resolved to slots at compile time: the table's
// columns (by schema index) and extra inputs the stage computes per row (metadata columns such
// as __table_name__, computed columns of the same projection).
class Scope {
 public:
  explicit Scope(const TableSchema& table) : table_(&table) {}
  // Makes `name` visible (case-insensitive, as Flink's default) as extra slot `index` of
  // EvalRow::extra. A later add of the same name shadows a column of that name.
  void add_extra(std::string name, ExprType type, uint32_t index) {
    extras_.push_back({std::move(name), type, index});
  }

  struct Extra {
    std::string name;
    ExprType type;
    uint32_t index;
  };
  const TableSchema& table() const { return *table_; }
  std::span<const Extra> extras() const { return extras_; }

 private:
  const TableSchema* table_;
  std::vector<Extra> extras_;
};

struct CompileOptions {
  // Division or MOD by zero: SQL NULL (default) or a runtime error that stops the pipeline.
  bool division_by_zero_is_error = false;
  // Integer overflow in + - * and CAST: a runtime error (default) or NULL.
  bool overflow_is_null = false;
  // Zone for NOW(), DATE_FORMAT of timestamps, TO_TIMESTAMP and FROM_UNIXTIME. IANA name or
  // "+hh:mm". Default: UTC.
  std::string time_zone = "UTC";
};

// What one evaluation sees. Built on the stack by the stage for each row.
struct EvalRow {
  std::span<const Value> columns;  // the row image, in schema column order
  std::span<const Value> extra;    // values of Scope::add_extra slots
  Arena* arena = nullptr;          // where new strings go (the batch's arena)
  int64_t now_ms = 0;              // NOW()/CURRENT_TIMESTAMP for this batch
};

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
                                            const CompileOptions& options, const TextOrigin& origin);

// One item of a `projection:` list: `*`, an expression, or `expression AS alias`.
struct ProjectionItem {
  bool star = false;
  std::string expression;       // the item's text without the alias
  std::optional<std::string> alias;
  uint32_t offset = 0;          // byte offset of the item inside the projection text
};

// Splits a projection list on its top-level commas (not those inside parentheses, strings or
// CASE), and separates `AS alias`. Errors as compile().
Result<std::vector<ProjectionItem>> parse_projection(std::string_view text, const TextOrigin& origin);

// The output schema column of a projected expression: kind, nullability, precision/scale/fsp
// from `type`, and a Flink-style source_type ("DECIMAL(13, 2)", "STRING", "TIMESTAMP_LTZ(3)",
// "BIGINT") for encoders that report types. A NULL-typed expression (the literal NULL) becomes
// a nullable STRING column.
Column output_column(std::string name, const ExprType& type);

// True for the result of a filter: only boolean true passes (NULL and false drop the row).
inline bool is_true(const Value& v) { return v.kind == ValueKind::boolean && v.i != 0; }

}  // namespace cdc::expr
