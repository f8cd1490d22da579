// Evaluation nodes: the compiled form of an expression, a tree of small immutable objects,
// each evaluating its children and computing one value. Built once per table schema version
// by the compiler; eval() does no parsing, name lookup or heap allocation (string results are
// built in a thread-local scratch buffer and copied into EvalRow::arena).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/pipeline/expr/datetime.h"
#include "cdc/pipeline/expr/expression.h"

namespace cdc::pipeline::expr {

// What every node's eval() sees: the row and the compile-time settings.
struct EvalContext {
  const EvalRow& row;
  const CompileOptions& options;
  const TimeZone& zone;
  std::string_view text;  // the whole expression, for error messages
  // Where a failing node leaves its error (see Node::eval); optional so that a row that does
  // not fail never constructs one.
  std::optional<Error>& error;

  bool fail(Error e) const {
    error = std::move(e);
    return false;
  }
  // Keeps the error of a Status-returning helper; true when it succeeded.
  bool check(Status s) const {
    if (s) return true;
    error = std::move(s).error();
    return false;
  }
};

class Node {
 public:
  Node(ExprType type, uint32_t offset) : type_(type), offset_(offset) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // False on failure, with the error in ctx.error. Not Status: constructing and destroying a
  // Result per node per row was a third of a simple filter's instructions.
  virtual bool eval(const EvalContext& ctx, Value& out) const = 0;
  // The literal's value when this node is a constant (folded at compile time), else null.
  virtual const Value* constant() const { return nullptr; }

  const ExprType& type() const { return type_; }
  uint32_t offset() const { return offset_; }  // byte offset in the expression text

 protected:
  ExprType type_;
  uint32_t offset_;
};

using NodePtr = std::unique_ptr<Node>;

// 1-based code point column of byte `offset` in `text` (what error messages show).
uint32_t column_of(std::string_view text, uint32_t offset);

// A runtime failure of the node at `offset`: "expression 'a / b': at column 3: division by zero".
Error runtime_error(const EvalContext& ctx, uint32_t offset, std::string_view what);

// Overflow handling per CompileOptions::overflow_is_null: sets out to NULL or returns the error.
Status overflow(const EvalContext& ctx, uint32_t offset, std::string_view what, Value& out);

// Copies s into the row's arena.
std::string_view store_text(const EvalContext& ctx, std::string_view s);

// A per-thread buffer for building one string result; cleared by each call. Valid until the
// next call on the same thread, so a function takes it only after its arguments are evaluated.
std::string& scratch();

}  // namespace cdc::pipeline::expr
