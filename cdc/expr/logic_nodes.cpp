#include "cdc/expr/logic_nodes.h"

namespace cdc::expr {
namespace {

class AndOrNode final : public Node {
 public:
  AndOrNode(uint32_t offset, bool nullable, bool is_and, NodePtr l, NodePtr r)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        is_and_(is_and),
        left_(std::move(l)),
        right_(std::move(r)) {}
  // Three-valued: AND is false if either side is false, OR true if either is true, else NULL
  // when a side is NULL. The right side is skipped when the left decides.
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    const Truth decisive = is_and_ ? Truth::no : Truth::yes;  // AND: false decides; OR: true
    const Truth a = left_->test(ctx);
    if (a == Truth::failed || a == decisive) return a;
    const Truth b = right_->test(ctx);
    if (b == Truth::failed || b == decisive) return b;
    if (a == Truth::unknown || b == Truth::unknown) return Truth::unknown;
    return is_and_ ? Truth::yes : Truth::no;
  }

 private:
  bool is_and_;
  NodePtr left_, right_;
};

class NotNode final : public Node {
 public:
  NotNode(uint32_t offset, bool nullable, NodePtr child)
      : Node(make_type(ValueKind::boolean, nullable), offset), child_(std::move(child)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    switch (const Truth t = child_->test(ctx)) {
      case Truth::no: return Truth::yes;
      case Truth::yes: return Truth::no;
      default: return t;
    }
  }

 private:
  NodePtr child_;
};

class IsNullNode final : public Node {
 public:
  IsNullNode(uint32_t offset, bool negated, NodePtr child)
      : Node(make_type(ValueKind::boolean, false), offset),
        negated_(negated),
        child_(std::move(child)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    Value tmp;
    const Value* v = child_->operand(ctx, tmp);
    if (v == nullptr) return Truth::failed;
    return truth_of(v->is_null() != negated_);
  }

 private:
  bool negated_;
  NodePtr child_;
};

class IsBoolNode final : public Node {
 public:
  IsBoolNode(uint32_t offset, bool target, bool negated, NodePtr child)
      : Node(make_type(ValueKind::boolean, false), offset),
        target_(target),
        negated_(negated),
        child_(std::move(child)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v;
    if (!child_->eval(ctx, v)) return false;
    bool is = !v.is_null() && (v.i != 0) == target_;
    out = Value::boolean(is != negated_);
    return true;
  }

 private:
  bool target_, negated_;
  NodePtr child_;
};

}  // namespace

NodePtr make_and_or(uint32_t offset, bool nullable, bool is_and, NodePtr left, NodePtr right) {
  return std::make_unique<AndOrNode>(offset, nullable, is_and, std::move(left), std::move(right));
}

NodePtr make_not(uint32_t offset, bool nullable, NodePtr child) {
  return std::make_unique<NotNode>(offset, nullable, std::move(child));
}

NodePtr make_is_null(uint32_t offset, bool negated, NodePtr child) {
  return std::make_unique<IsNullNode>(offset, negated, std::move(child));
}

NodePtr make_is_bool(uint32_t offset, bool target, bool negated, NodePtr child) {
  return std::make_unique<IsBoolNode>(offset, target, negated, std::move(child));
}

}  // namespace cdc::expr
