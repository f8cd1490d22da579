// Scope: the names an expression may reference. Built by the caller of compile(), which keeps
// the TableSchema alive while the Scope is used; read-only during compilation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/table_schema.h"
#include "cdc/expr/expr_type.h"

namespace cdc::expr {

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
  // Binds every name that is neither an extra nor a column of the table to a column of unknown
  // type (ValueKind::null, which every operator and function accepts), so that an expression
  // can be checked before its table is known: syntax, function names and arities, regular
  // expressions and literals. An expression compiled so is for checking only; evaluating such
  // a column fails.
  void bind_unknown_columns() { unknown_columns_ = true; }
  bool binds_unknown_columns() const { return unknown_columns_; }

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
  bool unknown_columns_ = false;
};

}  // namespace cdc::expr
