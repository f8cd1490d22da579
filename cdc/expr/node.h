// Evaluation nodes: the compiled form of an expression, a tree of small immutable objects,
// each evaluating its children and computing one value. Built once per table schema version
// by the compiler; eval() does no parsing, name lookup or heap allocation (string results are
// built in a thread-local scratch buffer and copied into EvalRow::arena). The node classes,
// grouped by kind, are private to the *_nodes.cpp files; their headers offer make_* functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/result.h"
#include "cdc/core/value.h"
#include "cdc/expr/compile_options.h"
#include "cdc/expr/datetime.h"
#include "cdc/expr/eval_row.h"
#include "cdc/expr/expr_type.h"

namespace cdc::expr {

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

// A boolean node's result without building a Value: SQL's three truth values, or a failure
// (the error in EvalContext::error).
enum class Truth : uint8_t { no, yes, unknown, failed };

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
  // eval() of a boolean node as a Truth: what filters, AND/OR/NOT and CASE conditions read.
  // Comparisons and logic override it (and implement eval() on top of it); the rest evaluate.
  virtual Truth test(const EvalContext& ctx) const;

  // This node's value without a copy where it already exists (a column of the row, a literal),
  // else evaluated into `tmp`. Null on failure, with the error in ctx.error. Not virtual: a
  // parent reads its column and literal operands with an index, not a call.
  const Value* operand(const EvalContext& ctx, Value& tmp) const {
    if (slot_ != kNoSlot) {
      const std::span<const Value> values = slot_in_extra_ ? ctx.row.extra : ctx.row.columns;
      if (slot_ < values.size()) return &values[slot_];  // else eval() names the mismatch
    } else if (fixed_ != nullptr) {
      return fixed_;
    }
    return eval(ctx, tmp) ? &tmp : nullptr;
  }

  const ExprType& type() const { return type_; }
  uint32_t offset() const { return offset_; }  // byte offset in the expression text

 protected:
  // For operand(): a column node reads EvalRow slot `slot`, a literal node is `value`.
  void set_row_slot(uint32_t slot, bool in_extra) {
    slot_ = slot;
    slot_in_extra_ = in_extra;
  }
  void set_fixed_value(const Value* value) { fixed_ = value; }

  ExprType type_;
  uint32_t offset_;

 private:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t slot_ = kNoSlot;
  bool slot_in_extra_ = false;
  const Value* fixed_ = nullptr;
};

// Truth <-> boolean Value, for nodes that implement one through the other.
inline bool truth_to_value(Truth t, Value& out) {
  switch (t) {
    case Truth::no: out = Value::boolean(false); return true;
    case Truth::yes: out = Value::boolean(true); return true;
    case Truth::unknown: out = Value(); return true;
    case Truth::failed: return false;
  }
  return false;
}
inline Truth truth_of(bool b) { return b ? Truth::yes : Truth::no; }

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

}  // namespace cdc::expr
