#include "cdc/expr/arithmetic_nodes.h"

#include <cmath>

#include "cdc/expr/value_ops.h"

namespace cdc::expr {
namespace {

class ArithNode final : public Node {
 public:
  ArithNode(ExprType type, uint32_t offset, char op, ArithMode mode, NodePtr l, NodePtr r)
      : Node(type, offset), op_(op), mode_(mode), left_(std::move(l)), right_(std::move(r)) {}

  bool eval(const EvalContext& ctx, Value& out) const override {
    Value a, b;
    if (!left_->eval(ctx, a)) return false;
    if (a.is_null()) {
      out = Value();
      return true;
    }
    if (!right_->eval(ctx, b)) return false;
    if (b.is_null()) {
      out = Value();
      return true;
    }
    switch (mode_) {
      case ArithMode::integer: return ctx.check(eval_integer(ctx, as_int64(a), as_int64(b), out));
      case ArithMode::floating:
        return ctx.check(eval_floating(ctx, as_double(a), as_double(b), out));
      case ArithMode::decimal: return ctx.check(eval_decimal(ctx, a, b, out));
    }
    return true;
  }

 private:
  Status division_by_zero(const EvalContext& ctx, Value& out) const {
    if (ctx.options.division_by_zero_is_error) {
      return runtime_error(ctx, offset_, std::string("division by zero in '") + op_ + "'");
    }
    out = Value();
    return {};
  }

  Status eval_integer(const EvalContext& ctx, int64_t a, int64_t b, Value& out) const {
    int64_t r = 0;
    bool overflowed = false;
    switch (op_) {
      case '+': overflowed = __builtin_add_overflow(a, b, &r); break;
      case '-': overflowed = __builtin_sub_overflow(a, b, &r); break;
      case '*': overflowed = __builtin_mul_overflow(a, b, &r); break;
      case '/':
        if (b == 0) return division_by_zero(ctx, out);
        if (a == INT64_MIN && b == -1) {
          overflowed = true;
        } else {
          r = a / b;
        }
        break;
      case '%':
        if (b == 0) return division_by_zero(ctx, out);
        r = b == -1 ? 0 : a % b;
        break;
      default: break;
    }
    if (overflowed) {
      return overflow(ctx, offset_,
                      std::string("BIGINT overflow in ") + std::to_string(a) + " " + op_ + " " +
                          std::to_string(b),
                      out);
    }
    out = Value::int64(r);
    return {};
  }

  Status eval_floating(const EvalContext& ctx, double a, double b, Value& out) const {
    double r = 0;
    switch (op_) {
      case '+': r = a + b; break;
      case '-': r = a - b; break;
      case '*': r = a * b; break;
      case '/':
        if (b == 0) return division_by_zero(ctx, out);
        r = a / b;
        break;
      case '%':
        if (b == 0) return division_by_zero(ctx, out);
        r = std::fmod(a, b);
        break;
      default: break;
    }
    out = Value::float64(r);
    return {};
  }

  Status eval_decimal(const EvalContext& ctx, const Value& a, const Value& b, Value& out) const {
    Decimal x, y, r;
    if (!as_decimal(a, x) || !as_decimal(b, y)) {
      return runtime_error(ctx, offset_, "malformed DECIMAL operand");
    }
    bool ok = true;
    switch (op_) {
      case '+': ok = add(x, y, r); break;
      case '-': ok = sub(x, y, r); break;
      case '*': ok = mul(x, y, r); break;
      case '/':
        if (y.is_zero()) return division_by_zero(ctx, out);
        ok = div(x, y, type_.scale, r);
        break;
      case '%':
        if (y.is_zero()) return division_by_zero(ctx, out);
        ok = mod(x, y, r);
        break;
      default: break;
    }
    if (!ok || !r.rescale(type_.scale) || r.integer_digits() > type_.precision - type_.scale) {
      return overflow(ctx, offset_,
                      std::string("DECIMAL overflow in '") + op_ + "': the result does not fit " +
                          type_name(type_),
                      out);
    }
    out = Value::decimal(r.to_text(*ctx.row.arena), type_.scale);
    return {};
  }

  char op_;
  ArithMode mode_;
  NodePtr left_, right_;
};

class NegateNode final : public Node {
 public:
  NegateNode(ExprType type, uint32_t offset, NodePtr child)
      : Node(type, offset), child_(std::move(child)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v;
    if (!child_->eval(ctx, v)) return false;
    if (v.is_null()) {
      out = Value();
      return true;
    }
    switch (type_.kind) {
      case ValueKind::int64: {
        int64_t x = as_int64(v);
        if (x == INT64_MIN)
          return ctx.check(
              overflow(ctx, offset_, "BIGINT overflow in -(" + std::to_string(x) + ")", out));
        out = Value::int64(-x);
        return true;
      }
      case ValueKind::float64: out = Value::float64(-as_double(v)); return true;
      default: {
        Decimal d;
        (void)as_decimal(v, d);  // ignored: the compiler typed the operand as exact numeric
        d.negate();
        out = Value::decimal(d.to_text(*ctx.row.arena), d.scale());
        return true;
      }
    }
  }

 private:
  NodePtr child_;
};

}  // namespace

NodePtr make_arithmetic(ExprType type, uint32_t offset, char op, ArithMode mode, NodePtr left,
                        NodePtr right) {
  return std::make_unique<ArithNode>(type, offset, op, mode, std::move(left), std::move(right));
}

NodePtr make_negate(ExprType type, uint32_t offset, NodePtr child) {
  return std::make_unique<NegateNode>(type, offset, std::move(child));
}

}  // namespace cdc::expr
