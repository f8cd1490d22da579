#include "cdc/expr/value_nodes.h"

#include "cdc/expr/value_ops.h"

namespace cdc::expr {
namespace {

class LiteralNode final : public Node {
 public:
  LiteralNode(Value value, std::string storage, ExprType type, uint32_t offset)
      : Node(type, offset), storage_(std::move(storage)), value_(value) {
    if (!storage_.empty() || value_.kind == ValueKind::string) value_.text = storage_;
    set_fixed_value(&value_);
  }
  bool eval(const EvalContext&, Value& out) const override {
    out = value_;
    return true;
  }
  const Value* constant() const override { return &value_; }

 private:
  std::string storage_;  // owns the bytes value_.text points to
  Value value_;
};

class ColumnNode final : public Node {
 public:
  ColumnNode(ExprType type, uint32_t offset, uint32_t index, bool extra, std::string name)
      : Node(type, offset), index_(index), extra_(extra), name_(std::move(name)) {
    set_row_slot(index, extra);
  }
  bool eval(const EvalContext& ctx, Value& out) const override {
    std::span<const Value> values = extra_ ? ctx.row.extra : ctx.row.columns;
    if (index_ >= values.size()) {
      return ctx.check(runtime_error(
          ctx, offset_,
          "the row has " + std::to_string(values.size()) + " values but column '" + name_ +
              "' is number " + std::to_string(index_ + 1) + " of the schema it was compiled for"));
    }
    out = values[index_];
    return true;
  }

 private:
  uint32_t index_;
  bool extra_;
  std::string name_;
};

class CastNode final : public Node {
 public:
  CastNode(ExprType to, uint32_t offset, NodePtr child, uint8_t int_bits)
      : Node(to, offset), child_(std::move(child)), int_bits_(int_bits) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value in;
    if (!child_->eval(ctx, in)) return false;
    return ctx.check(cast_value(ctx, offset_, in, type_, int_bits_, out));
  }

 private:
  NodePtr child_;
  uint8_t int_bits_;
};

}  // namespace

NodePtr make_literal(Value value, std::string storage, ExprType type, uint32_t offset) {
  return std::make_unique<LiteralNode>(value, std::move(storage), type, offset);
}

NodePtr make_column(ExprType type, uint32_t offset, uint32_t index, bool extra, std::string name) {
  return std::make_unique<ColumnNode>(type, offset, index, extra, std::move(name));
}

NodePtr make_cast(ExprType to, uint32_t offset, NodePtr child, uint8_t int_bits) {
  return std::make_unique<CastNode>(to, offset, std::move(child), int_bits);
}

}  // namespace cdc::expr
