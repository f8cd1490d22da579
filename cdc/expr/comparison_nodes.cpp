#include "cdc/expr/comparison_nodes.h"

#include <cstring>
#include <string>
#include <utility>

#include "cdc/expr/value_nodes.h"

namespace cdc::expr {
namespace {

bool apply_cmp(CmpOp op, int c) {
  switch (op) {
    case CmpOp::eq: return c == 0;
    case CmpOp::ne: return c != 0;
    case CmpOp::lt: return c < 0;
    case CmpOp::le: return c <= 0;
    case CmpOp::gt: return c > 0;
    case CmpOp::ge: return c >= 0;
  }
  return false;
}

// The common comparisons without the general node's kind dispatch: BIGINT-like operands
// (payload in Value::i) or text, optionally against a literal right side that is read once
// at compile time (`id > 100`, `status = 'active'`).
struct Int64Order {
  static int compare(const Value& a, const Value& b) {
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
};
struct TextOrder {
  static int compare(const Value& a, const Value& b) {
    int c = a.text.compare(b.text);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
};
// For = and <> only (0: equal, 1: not): texts of different lengths differ without a memcmp.
struct TextEquality {
  static int compare(const Value& a, const Value& b) {
    return a.text.size() == b.text.size() &&
                   (a.text.empty() || std::memcmp(a.text.data(), b.text.data(), a.text.size()) == 0)
               ? 0
               : 1;
  }
};

// DECIMAL operands (a DECIMAL column against a literal turned into DECIMAL text at compile
// time): the digit texts are compared as they are, without building Decimals.
struct DecimalOrder {
  static int compare(const Value& a, const Value& b) { return compare_exact(a, b); }
};

// A DECIMAL column against a DECIMAL literal whose digits were split once at compile time:
// per row only the column's text is read (`amount > 100`).
class DecimalLiteralCompareNode final : public Node {
 public:
  DecimalLiteralCompareNode(uint32_t offset, bool nullable, CmpOp op, NodePtr l, NodePtr r,
                            const DecimalDigits& literal_digits)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        op_(op),
        left_(std::move(l)),
        right_(std::move(r)),
        literal_(*right_->constant()),
        literal_digits_(literal_digits) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    Value tmp;
    const Value* a = left_->operand(ctx, tmp);
    if (a == nullptr) return Truth::failed;
    if (a->is_null()) return Truth::unknown;
    DecimalDigits x;
    const int c = a->kind == ValueKind::decimal && split_decimal_digits(a->text, x)
                      ? compare_decimal_digits(x, literal_digits_)
                      : DecimalOrder::compare(*a, literal_);
    return truth_of(apply_cmp(op_, c));
  }

 private:
  CmpOp op_;
  NodePtr left_, right_;  // right_ owns the text literal_ and literal_digits_ point into
  Value literal_;
  DecimalDigits literal_digits_;
};

template <class Order, bool kLiteralRight>
class FastCompareNode final : public Node {
 public:
  FastCompareNode(uint32_t offset, bool nullable, CmpOp op, NodePtr l, NodePtr r)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        op_(op),
        left_(std::move(l)),
        right_(std::move(r)) {
    if (kLiteralRight) literal_ = *right_->constant();
  }
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    Value left_tmp, right_tmp;
    const Value* a = left_->operand(ctx, left_tmp);
    if (a == nullptr) return Truth::failed;
    const Value* b = &literal_;
    if (!kLiteralRight) {
      b = right_->operand(ctx, right_tmp);
      if (b == nullptr) return Truth::failed;
    }
    if (a->is_null() || b->is_null()) return Truth::unknown;
    return truth_of(apply_cmp(op_, Order::compare(*a, *b)));
  }

 private:
  CmpOp op_;
  NodePtr left_, right_;  // right_ owns literal_'s text
  Value literal_;
};

template <class Order>
NodePtr make_fast_compare(bool literal_right, uint32_t offset, bool nullable, CmpOp op, NodePtr l,
                          NodePtr r) {
  if (literal_right) {
    return std::make_unique<FastCompareNode<Order, true>>(offset, nullable, op, std::move(l),
                                                          std::move(r));
  }
  return std::make_unique<FastCompareNode<Order, false>>(offset, nullable, op, std::move(l),
                                                         std::move(r));
}

class CompareNode final : public Node {
 public:
  CompareNode(uint32_t offset, bool nullable, CmpOp op, CompareMode mode, NodePtr l, NodePtr r)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        op_(op),
        mode_(mode),
        left_(std::move(l)),
        right_(std::move(r)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    return truth_to_value(test(ctx), out);
  }
  Truth test(const EvalContext& ctx) const override {
    Value left_tmp, right_tmp;
    const Value* a = left_->operand(ctx, left_tmp);
    if (a == nullptr) return Truth::failed;
    const Value* b = right_->operand(ctx, right_tmp);
    if (b == nullptr) return Truth::failed;
    if (a->is_null() || b->is_null()) return Truth::unknown;
    return truth_of(apply_cmp(op_, compare_values(mode_, *a, *b, ctx.zone)));
  }

 private:
  CmpOp op_;
  CompareMode mode_;
  NodePtr left_, right_;
};

class InNode final : public Node {
 public:
  InNode(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr value,
         std::vector<NodePtr> items)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        negated_(negated),
        mode_(mode),
        value_(std::move(value)),
        items_(std::move(items)) {}
  // SQL: TRUE if any item equals; else NULL if the value or any item is NULL; else FALSE.
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v;
    if (!value_->eval(ctx, v)) return false;
    if (v.is_null()) {
      out = Value();
      return true;
    }
    bool saw_null = false;
    for (const NodePtr& item : items_) {
      Value x;
      if (!item->eval(ctx, x)) return false;
      if (x.is_null()) {
        saw_null = true;
      } else if (compare_values(mode_, v, x, ctx.zone) == 0) {
        out = Value::boolean(!negated_);
        return true;
      }
    }
    out = saw_null ? Value() : Value::boolean(negated_);
    return true;
  }

 private:
  bool negated_;
  CompareMode mode_;
  NodePtr value_;
  std::vector<NodePtr> items_;
};

class BetweenNode final : public Node {
 public:
  BetweenNode(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr v, NodePtr lo,
              NodePtr hi)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        negated_(negated),
        mode_(mode),
        value_(std::move(v)),
        low_(std::move(lo)),
        high_(std::move(hi)) {}
  // value >= low AND value <= high, with AND's three-valued logic.
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v, lo, hi;
    if (!value_->eval(ctx, v)) return false;
    if (!low_->eval(ctx, lo)) return false;
    if (!high_->eval(ctx, hi)) return false;
    int ge_low = v.is_null() || lo.is_null() ? -1 : compare_values(mode_, v, lo, ctx.zone) >= 0;
    int le_high = v.is_null() || hi.is_null() ? -1 : compare_values(mode_, v, hi, ctx.zone) <= 0;
    if (ge_low == 0 || le_high == 0) {
      out = Value::boolean(negated_);
    } else if (ge_low < 0 || le_high < 0) {
      out = Value();
    } else {
      out = Value::boolean(!negated_);
    }
    return true;
  }

 private:
  bool negated_;
  CompareMode mode_;
  NodePtr value_, low_, high_;
};

}  // namespace

NodePtr make_comparison(uint32_t offset, bool nullable, CmpOp op, CompareMode mode, NodePtr left,
                        NodePtr right) {
  if (left->constant() != nullptr && right->constant() == nullptr) {
    std::swap(left, right);
    op = op == CmpOp::lt   ? CmpOp::gt
         : op == CmpOp::gt ? CmpOp::lt
         : op == CmpOp::le ? CmpOp::ge
         : op == CmpOp::ge ? CmpOp::le
                           : op;
  }
  auto int64_like = [](ValueKind k) { return k == ValueKind::int64 || k == ValueKind::year; };
  auto exact = [](ValueKind k) {
    return k == ValueKind::decimal || k == ValueKind::int64 || k == ValueKind::year ||
           k == ValueKind::uint64 || k == ValueKind::bit || k == ValueKind::boolean;
  };
  const ValueKind lk = left->type().kind, rk = right->type().kind;
  const bool literal_right = right->constant() != nullptr;
  if (mode == CompareMode::decimal && exact(lk) && exact(rk)) {
    const Value* lit = right->constant();
    if (lit != nullptr && !lit->is_null() && lit->kind != ValueKind::decimal) {
      // An integer literal against a DECIMAL column: its DECIMAL text once, here.
      Decimal d;
      if (as_decimal(*lit, d)) {
        char buf[Decimal::kMaxTextLength];
        std::string text(buf, d.to_chars(buf));
        ExprType t = right->type();
        t.kind = ValueKind::decimal;
        right = make_literal(Value::decimal({}, d.scale()), std::move(text), t, right->offset());
      }
    }
    DecimalDigits literal_digits;
    if (literal_right && !right->constant()->is_null() &&
        right->constant()->kind == ValueKind::decimal &&
        split_decimal_digits(right->constant()->text, literal_digits)) {
      return std::make_unique<DecimalLiteralCompareNode>(offset, nullable, op, std::move(left),
                                                         std::move(right), literal_digits);
    }
    return make_fast_compare<DecimalOrder>(literal_right, offset, nullable, op, std::move(left),
                                           std::move(right));
  }
  if (int64_like(lk) && int64_like(rk)) {
    return make_fast_compare<Int64Order>(literal_right, offset, nullable, op, std::move(left),
                                         std::move(right));
  }
  if (is_text_kind(lk) && is_text_kind(rk) && (op == CmpOp::eq || op == CmpOp::ne)) {
    return make_fast_compare<TextEquality>(literal_right, offset, nullable, op, std::move(left),
                                           std::move(right));
  }
  if (is_text_kind(lk) && is_text_kind(rk)) {
    return make_fast_compare<TextOrder>(literal_right, offset, nullable, op, std::move(left),
                                        std::move(right));
  }
  return std::make_unique<CompareNode>(offset, nullable, op, mode, std::move(left),
                                       std::move(right));
}

NodePtr make_in(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr value,
                std::vector<NodePtr> items) {
  return std::make_unique<InNode>(offset, nullable, negated, mode, std::move(value),
                                  std::move(items));
}

NodePtr make_between(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr value,
                     NodePtr low, NodePtr high) {
  return std::make_unique<BetweenNode>(offset, nullable, negated, mode, std::move(value),
                                       std::move(low), std::move(high));
}

}  // namespace cdc::expr
