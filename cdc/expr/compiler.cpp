#include "cdc/expr/compiler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "cdc/expr/unicode.h"

namespace cdc::expr {
namespace {

ExprType make_type(ValueKind kind, bool nullable = true) {
  ExprType t;
  t.kind = kind;
  t.nullable = nullable;
  return t;
}

bool either_nullable(const Node& a, const Node& b) {
  return a.type().nullable || b.type().nullable;
}

// ---- leaves -------------------------------------------------------------------------------

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

// ---- arithmetic ---------------------------------------------------------------------------

enum class ArithMode : uint8_t { integer, decimal, floating };

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
      case ArithMode::integer:
        return ctx.check(eval_integer(ctx, as_int64(a), as_int64(b), out));
      case ArithMode::floating:
        return ctx.check(eval_floating(ctx, as_double(a), as_double(b), out));
      case ArithMode::decimal:
        return ctx.check(eval_decimal(ctx, a, b, out));
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
      case '+':
        overflowed = __builtin_add_overflow(a, b, &r);
        break;
      case '-':
        overflowed = __builtin_sub_overflow(a, b, &r);
        break;
      case '*':
        overflowed = __builtin_mul_overflow(a, b, &r);
        break;
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
      default:
        break;
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
      case '+':
        r = a + b;
        break;
      case '-':
        r = a - b;
        break;
      case '*':
        r = a * b;
        break;
      case '/':
        if (b == 0) return division_by_zero(ctx, out);
        r = a / b;
        break;
      case '%':
        if (b == 0) return division_by_zero(ctx, out);
        r = std::fmod(a, b);
        break;
      default:
        break;
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
      case '+':
        ok = add(x, y, r);
        break;
      case '-':
        ok = sub(x, y, r);
        break;
      case '*':
        ok = mul(x, y, r);
        break;
      case '/':
        if (y.is_zero()) return division_by_zero(ctx, out);
        ok = div(x, y, type_.scale, r);
        break;
      case '%':
        if (y.is_zero()) return division_by_zero(ctx, out);
        ok = mod(x, y, r);
        break;
      default:
        break;
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
      case ValueKind::float64:
        out = Value::float64(-as_double(v));
        return true;
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

// ---- comparisons and logic ---------------------------------------------------------------

enum class CmpOp : uint8_t { eq, ne, lt, le, gt, ge };

bool apply_cmp(CmpOp op, int c) {
  switch (op) {
    case CmpOp::eq:
      return c == 0;
    case CmpOp::ne:
      return c != 0;
    case CmpOp::lt:
      return c < 0;
    case CmpOp::le:
      return c <= 0;
    case CmpOp::gt:
      return c > 0;
    case CmpOp::ge:
      return c >= 0;
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
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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

class AndOrNode final : public Node {
 public:
  AndOrNode(uint32_t offset, bool nullable, bool is_and, NodePtr l, NodePtr r)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        is_and_(is_and),
        left_(std::move(l)),
        right_(std::move(r)) {}
  // Three-valued: AND is false if either side is false, OR true if either is true, else NULL
  // when a side is NULL. The right side is skipped when the left decides.
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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
  bool eval(const EvalContext& ctx, Value& out) const override { return truth_to_value(test(ctx), out); }
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

// SQL LIKE over code points: % any run, _ one code point, `escape` makes the next one literal.
// Iterative with one backtrack point (the last %): linear in practice, never recursive.
bool like_match(std::string_view s, std::string_view p, char32_t escape) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      size_t pnext = pi;
      char32_t pc = next_code_point(p, pnext);
      if (pc == '%') {
        star_p = pnext;
        star_s = si;
        pi = pnext;
        continue;
      }
      bool literal = false;
      if (pc == escape && pnext < p.size()) {
        pc = next_code_point(p, pnext);
        literal = true;
      }
      size_t snext = si;
      char32_t sc = next_code_point(s, snext);
      if ((!literal && pc == '_') || pc == sc) {
        si = snext;
        pi = pnext;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    next_code_point(s, star_s);  // the % swallows one more code point
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size()) {
    size_t pnext = pi;
    if (next_code_point(p, pnext) != '%') return false;
    pi = pnext;
  }
  return true;
}

class LikeNode final : public Node {
 public:
  LikeNode(uint32_t offset, bool nullable, bool negated, char32_t escape, NodePtr v, NodePtr p)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        negated_(negated),
        escape_(escape),
        value_(std::move(v)),
        pattern_(std::move(p)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v, p;
    if (!value_->eval(ctx, v)) return false;
    if (!pattern_->eval(ctx, p)) return false;
    if (v.is_null() || p.is_null()) {
      out = Value();
      return true;
    }
    out = Value::boolean(like_match(v.text, p.text, escape_) != negated_);
    return true;
  }

 private:
  bool negated_;
  char32_t escape_;
  NodePtr value_, pattern_;
};

class CaseNode final : public Node {
 public:
  CaseNode(ExprType type, uint32_t offset, CompareMode mode, NodePtr operand,
           std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise)
      : Node(type, offset),
        mode_(mode),
        operand_(std::move(operand)),
        whens_(std::move(whens)),
        thens_(std::move(thens)),
        else_(std::move(otherwise)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value operand;
    if (operand_)
      if (!operand_->eval(ctx, operand)) return false;
    for (size_t i = 0; i < whens_.size(); ++i) {
      Value w;
      if (!whens_[i]->eval(ctx, w)) return false;
      bool hit = operand_ ? (!operand.is_null() && !w.is_null() &&
                             compare_values(mode_, operand, w, ctx.zone) == 0)
                          : is_true(w);
      if (hit) return thens_[i]->eval(ctx, out);
    }
    if (else_) return else_->eval(ctx, out);
    out = Value();
    return true;
  }

 private:
  CompareMode mode_;
  NodePtr operand_;
  std::vector<NodePtr> whens_, thens_;
  NodePtr else_;
};

// Flink's LogicalTypeMerging.adjustPrecisionScale with sluice's 65-digit maximum: when the
// exact result type is too wide, integer digits win but at least 6 fraction digits are kept.
void adjust_precision_scale(int64_t precision, int64_t scale, ExprType& out) {
  const int64_t max = kMaxDecimalPrecision;
  if (precision > max) {
    int64_t int_digits = precision - scale;
    int64_t min_scale = std::min<int64_t>(scale, 6);
    scale = std::max(max - int_digits, min_scale);
    precision = max;
  }
  out.kind = ValueKind::decimal;
  out.precision = static_cast<uint32_t>(std::max<int64_t>(precision, 1));
  out.scale = static_cast<uint32_t>(std::min(scale, precision));
}

}  // namespace

NodePtr make_literal(Value value, std::string storage, ExprType type, uint32_t offset) {
  return std::make_unique<LiteralNode>(value, std::move(storage), type, offset);
}

bool Compiler::fail(uint32_t offset, std::string message) {
  if (!failed_) {
    failed_ = true;
    error_offset_ = offset;
    error_message_ = std::move(message);
  }
  return false;
}

CompareMode Compiler::compare_mode(const ExprType& t) {
  switch (t.kind) {
    case ValueKind::decimal:
      return CompareMode::decimal;
    case ValueKind::float32:
    case ValueKind::float64:
      return CompareMode::floating;
    case ValueKind::boolean:
      return CompareMode::boolean;
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::timestamp:
      return CompareMode::temporal;
    case ValueKind::time:
      return CompareMode::time;
    default:
      return is_text_kind(t.kind) ? CompareMode::text : CompareMode::integer;
  }
}

bool Compiler::common_type(const ExprType& a, const ExprType& b, ExprType& out) {
  const bool nullable = a.nullable || b.nullable;
  if (a.kind == ValueKind::null || b.kind == ValueKind::null) {
    out = a.kind == ValueKind::null ? b : a;
    out.nullable = true;
    return true;
  }
  if (is_numeric_kind(a.kind) && is_numeric_kind(b.kind)) {
    if (a.kind == ValueKind::float32 || a.kind == ValueKind::float64 ||
        b.kind == ValueKind::float32 || b.kind == ValueKind::float64) {
      out = make_type(ValueKind::float64, nullable);
    } else if (a.kind == ValueKind::decimal || b.kind == ValueKind::decimal ||
               a.kind == ValueKind::uint64 || b.kind == ValueKind::uint64 ||
               a.kind == ValueKind::bit || b.kind == ValueKind::bit) {
      ExprType x = decimal_type_of(a), y = decimal_type_of(b);
      uint32_t scale = std::max(x.scale, y.scale);
      uint32_t ints = std::max(x.precision - x.scale, y.precision - y.scale);
      out = make_type(ValueKind::decimal, nullable);
      out.precision = std::min(kMaxDecimalPrecision, ints + scale);
      out.scale = scale;
    } else {
      out = make_type(ValueKind::int64, nullable);
    }
    return true;
  }
  if (is_text_kind(a.kind) && is_text_kind(b.kind)) {
    out = make_type(a.kind == ValueKind::bytes && b.kind == ValueKind::bytes ? ValueKind::bytes
                                                                             : ValueKind::string,
                    nullable);
    return true;
  }
  if (a.kind == ValueKind::boolean && b.kind == ValueKind::boolean) {
    out = make_type(ValueKind::boolean, nullable);
    return true;
  }
  auto temporal = [](ValueKind k) { return is_datetime_kind(k) || k == ValueKind::time; };
  if (temporal(a.kind) && temporal(b.kind)) {
    if (a.kind == ValueKind::time || b.kind == ValueKind::time) {
      if (a.kind != b.kind) return false;
      out = a;
    } else if (a.kind == b.kind) {
      out = a;
    } else {
      out = make_type(ValueKind::datetime);
    }
    out.fsp = std::max(a.fsp, b.fsp);
    out.nullable = nullable;
    return true;
  }
  if (is_text_kind(a.kind) && temporal(b.kind)) {
    out = b;
    out.nullable = nullable;
    return true;
  }
  if (temporal(a.kind) && is_text_kind(b.kind)) {
    out = a;
    out.nullable = nullable;
    return true;
  }
  return false;
}

NodePtr Compiler::coerce(NodePtr node, const ExprType& to) {
  const ExprType& t = node->type();
  if (t.kind == ValueKind::null || to.kind == ValueKind::null) return node;
  bool same = t.kind == to.kind && (to.kind != ValueKind::decimal ||
                                    (t.scale == to.scale && t.precision <= to.precision));
  // Integer kinds read the same way everywhere; text kinds all carry text.
  if (same || (is_text_kind(t.kind) && to.kind == ValueKind::string)) return node;
  uint32_t offset = node->offset();
  ExprType target = to;
  target.nullable = t.nullable || to.nullable;
  return std::make_unique<CastNode>(target, offset, std::move(node), 0);
}

bool Compiler::compile_children(const Ast& ast, std::vector<NodePtr>& args) {
  args.clear();
  for (const AstPtr& child : ast.children) {
    NodePtr n;
    if (!compile(*child, n)) return false;
    args.push_back(std::move(n));
  }
  return true;
}

bool Compiler::require_boolean(const Node& node, std::string_view what) {
  ValueKind k = node.type().kind;
  if (k == ValueKind::boolean || k == ValueKind::null) return true;
  return fail(node.offset(),
              std::string(what) + " needs a BOOLEAN operand, got " + type_name(node.type()));
}

bool Compiler::compile(const Ast& ast, NodePtr& out) {
  switch (ast.kind) {
    case AstKind::null_literal:
    case AstKind::bool_literal:
    case AstKind::int_literal:
    case AstKind::decimal_literal:
    case AstKind::float_literal:
    case AstKind::string_literal:
    case AstKind::date_literal:
    case AstKind::time_literal:
    case AstKind::timestamp_literal:
      return compile_literal(ast, out);
    case AstKind::column:
      return compile_column(ast, out);
    case AstKind::unary: {
      NodePtr child;
      if (!compile(*ast.children[0], child)) return false;
      const ExprType& t = child->type();
      if (!is_numeric_kind(t.kind) && t.kind != ValueKind::null) {
        return fail(ast.offset, "unary " + ast.text + " needs a number, got " + type_name(t));
      }
      if (ast.text == "+") {
        out = std::move(child);
        return true;
      }
      ExprType rt = t;
      if (is_integer_kind(t.kind) && t.kind != ValueKind::int64) {
        rt = decimal_type_of(t);
      } else if (t.kind == ValueKind::float32 || t.kind == ValueKind::null) {
        rt = make_type(t.kind == ValueKind::null ? ValueKind::int64 : ValueKind::float64);
      }
      rt.nullable = t.nullable || options_.overflow_is_null;
      out = std::make_unique<NegateNode>(rt, ast.offset, std::move(child));
      return true;
    }
    case AstKind::binary:
      return compile_binary(ast, out);
    case AstKind::logical_and:
    case AstKind::logical_or:
    case AstKind::logical_not:
      return compile_logical(ast, out);
    case AstKind::is_null: {
      NodePtr child;
      if (!compile(*ast.children[0], child)) return false;
      out = std::make_unique<IsNullNode>(ast.offset, ast.negated, std::move(child));
      return true;
    }
    case AstKind::is_bool: {
      NodePtr child;
      if (!compile(*ast.children[0], child)) return false;
      if (!require_boolean(*child, "IS TRUE/FALSE")) return false;
      out = std::make_unique<IsBoolNode>(ast.offset, ast.text == "true", ast.negated,
                                         std::move(child));
      return true;
    }
    case AstKind::in_list:
      return compile_in(ast, out);
    case AstKind::between:
      return compile_between(ast, out);
    case AstKind::like:
      return compile_like(ast, out);
    case AstKind::case_when:
      return compile_case(ast, out);
    case AstKind::cast:
      return compile_cast(ast, out);
    case AstKind::call:
      return compile_call(*this, ast, out);
  }
  return fail(ast.offset, "internal: unknown syntax node");
}

bool Compiler::compile_literal(const Ast& ast, NodePtr& out) {
  Value v;
  ExprType t;
  t.nullable = false;
  std::string storage;
  switch (ast.kind) {
    case AstKind::null_literal:
      t.nullable = true;
      break;
    case AstKind::bool_literal:
      v = Value::boolean(ast.text == "true");
      t.kind = ValueKind::boolean;
      break;
    case AstKind::int_literal: {
      int64_t x = 0;
      auto [end, ec] = std::from_chars(ast.text.data(), ast.text.data() + ast.text.size(), x);
      if (ec == std::errc() && end == ast.text.data() + ast.text.size()) {
        v = Value::int64(x);
        t.kind = ValueKind::int64;
        // Flink types a literal that fits INT as INT: in DECIMAL arithmetic it counts as
        // DECIMAL(10, 0), not BIGINT's DECIMAL(19, 0) (price / 2 keeps 13 fraction digits).
        if (x >= INT32_MIN && x <= INT32_MAX) t.precision = 10;
        break;
      }
      [[fallthrough]];  // beyond BIGINT: an exact DECIMAL(p, 0)
    }
    case AstKind::decimal_literal: {
      Decimal d;
      if (!Decimal::parse(ast.text, d)) return fail(ast.offset, "malformed number " + ast.text);
      uint32_t digits = d.digit_count();
      if (std::max(digits, d.scale()) > kMaxDecimalPrecision) {
        return fail(ast.offset, "number " + ast.text + " has more than 65 digits");
      }
      char buf[Decimal::kMaxTextLength];
      storage.assign(buf, d.to_chars(buf));
      t.kind = ValueKind::decimal;
      t.scale = d.scale();
      t.precision = std::max(digits, d.scale() + (digits > d.scale() ? 0 : 0));
      t.precision = std::max<uint32_t>(t.precision, 1);
      v = Value::decimal({}, d.scale());
      break;
    }
    case AstKind::float_literal: {
      double x = 0;
      auto [end, ec] = std::from_chars(ast.text.data(), ast.text.data() + ast.text.size(), x);
      if (ec != std::errc() || !std::isfinite(x)) {
        return fail(ast.offset, "number " + ast.text + " is out of the DOUBLE range");
      }
      v = Value::float64(x);
      t.kind = ValueKind::float64;
      break;
    }
    case AstKind::string_literal:
      storage = ast.text;
      v = Value::string({});
      t.kind = ValueKind::string;
      break;
    case AstKind::date_literal: {
      DateTimeFields f;
      if (!parse_iso_date(ast.text, f)) {
        return fail(ast.offset, "invalid DATE literal '" + ast.text + "' (expected 'YYYY-MM-DD')");
      }
      v = date_value(f);
      t.kind = ValueKind::date;
      break;
    }
    case AstKind::time_literal: {
      int64_t micros = 0;
      uint8_t fsp = 0;
      if (!parse_iso_time(ast.text, micros, &fsp)) {
        return fail(ast.offset, "invalid TIME literal '" + ast.text + "' (expected 'hh:mm:ss')");
      }
      v = Value::time_micros(micros, fsp);
      t.kind = ValueKind::time;
      t.fsp = fsp;
      break;
    }
    case AstKind::timestamp_literal: {
      DateTimeFields f;
      uint8_t fsp = 0;
      if (!parse_iso_datetime(ast.text, f, &fsp)) {
        return fail(ast.offset, "invalid TIMESTAMP literal '" + ast.text +
                                    "' (expected 'YYYY-MM-DD hh:mm:ss[.ffffff]')");
      }
      v = datetime_value(f, fsp);
      t.kind = ValueKind::datetime;
      t.fsp = fsp;
      break;
    }
    default:
      return fail(ast.offset, "internal: not a literal");
  }
  auto node = std::make_unique<LiteralNode>(v, std::move(storage), t, ast.offset);
  out = std::move(node);
  return true;
}

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

bool Compiler::compile_column(const Ast& ast, NodePtr& out) {
  std::span<const Scope::Extra> extras = scope_.extras();
  for (size_t i = extras.size(); i-- > 0;) {  // a later add shadows an earlier one
    if (iequal(extras[i].name, ast.text)) {
      out =
          std::make_unique<ColumnNode>(extras[i].type, ast.offset, extras[i].index, true, ast.text);
      return true;
    }
  }
  const TableSchema& table = scope_.table();
  // Exact spelling first, then Flink's case-insensitive match.
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < table.columns.size(); ++i) {
      const std::string& name = table.columns[i].name;
      if (pass == 0 ? name == ast.text : iequal(name, ast.text)) {
        out = std::make_unique<ColumnNode>(column_type(table.columns[i]), ast.offset, i, false,
                                           ast.text);
        return true;
      }
    }
  }
  std::string message = "unknown column '" + ast.text + "'";
  std::string table_id = table_name();
  if (table_id != ".") message += " in table " + table_id;
  std::string best;
  size_t best_distance = 3;
  auto consider = [&](const std::string& name) {
    size_t d = edit_distance(ast.text, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  };
  for (const Column& c : table.columns) consider(c.name);
  for (const Scope::Extra& e : extras) consider(e.name);
  if (!best.empty()) message += " (did you mean '" + best + "'?)";
  return fail(ast.offset, std::move(message));
}

bool Compiler::compile_binary(const Ast& ast, NodePtr& out) {
  NodePtr left, right;
  if (!compile(*ast.children[0], left) || !compile(*ast.children[1], right)) return false;
  const std::string& op = ast.text;
  if (op == "||") {
    std::vector<NodePtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    return build_concat(*this, ast.offset, std::move(args), out);
  }
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
    return compile_arithmetic(ast, std::move(left), std::move(right), out);
  }
  return compile_comparison(ast, std::move(left), std::move(right), out);
}

bool Compiler::compile_arithmetic(const Ast& ast, NodePtr left, NodePtr right, NodePtr& out) {
  const ExprType& a = left->type();
  const ExprType& b = right->type();
  for (const Node* n : {left.get(), right.get()}) {
    ValueKind k = n->type().kind;
    if (!is_numeric_kind(k) && k != ValueKind::null) {
      return fail(n->offset(),
                  "operator " + ast.text + " needs numbers, got " + type_name(n->type()) +
                      (is_text_kind(k) ? " (use CAST(... AS DECIMAL(p, s)) or CONCAT)" : ""));
    }
  }
  const char op = ast.text[0];
  ExprType common;
  if (!common_type(a, b, common)) return fail(ast.offset, "internal: no common numeric type");
  if (common.kind == ValueKind::null) common = make_type(ValueKind::int64);
  ArithMode mode = ArithMode::integer;
  ExprType rt = common;
  if (common.kind == ValueKind::float64) {
    mode = ArithMode::floating;
  } else if (common.kind == ValueKind::decimal) {
    mode = ArithMode::decimal;
    ExprType x = a.kind == ValueKind::null ? common : decimal_type_of(a);
    ExprType y = b.kind == ValueKind::null ? common : decimal_type_of(b);
    int64_t p1 = x.precision, s1 = x.scale, p2 = y.precision, s2 = y.scale;
    switch (op) {
      case '+':
      case '-': {
        int64_t s = std::max(s1, s2);
        adjust_precision_scale(std::max(p1 - s1, p2 - s2) + s + 1, s, rt);
        break;
      }
      case '*':
        adjust_precision_scale(p1 + p2 + 1, s1 + s2, rt);
        break;
      case '/': {
        int64_t s = std::max<int64_t>(6, s1 + p2 + 1);
        adjust_precision_scale(p1 - s1 + s2 + s, s, rt);
        break;
      }
      default: {
        int64_t s = std::max(s1, s2);
        adjust_precision_scale(std::min(p1 - s1, p2 - s2) + s, s, rt);
        break;
      }
    }
  }
  rt.nullable = a.nullable || b.nullable || options_.overflow_is_null ||
                ((op == '/' || op == '%') && !options_.division_by_zero_is_error);
  out = std::make_unique<ArithNode>(rt, ast.offset, op, mode, std::move(left), std::move(right));
  return true;
}

bool Compiler::compile_comparison(const Ast& ast, NodePtr left, NodePtr right, NodePtr& out) {
  ExprType common;
  if (!common_type(left->type(), right->type(), common)) {
    return fail(ast.offset, "cannot compare " + type_name(left->type()) + " with " +
                                type_name(right->type()) + " (use CAST)");
  }
  if (compare_mode(common) == CompareMode::temporal || common.kind == ValueKind::time) {
    // Text compared with a date/time is parsed as one (once, if it is a literal).
    if (is_text_kind(left->type().kind)) left = coerce(std::move(left), common);
    if (is_text_kind(right->type().kind)) right = coerce(std::move(right), common);
  }
  static constexpr std::pair<std::string_view, CmpOp> kOps[] = {
      {"=", CmpOp::eq},  {"<>", CmpOp::ne}, {"<", CmpOp::lt},
      {"<=", CmpOp::le}, {">", CmpOp::gt},  {">=", CmpOp::ge}};
  CmpOp op = CmpOp::eq;
  for (const auto& [name, value] : kOps) {
    if (ast.text == name) op = value;
  }
  bool nullable = either_nullable(*left, *right);
  if (left->constant() != nullptr && right->constant() == nullptr) {
    // `100 < amount` as `amount > 100`, so that the literal is read once at compile time.
    std::swap(left, right);
    op = op == CmpOp::lt ? CmpOp::gt : op == CmpOp::gt ? CmpOp::lt
       : op == CmpOp::le ? CmpOp::ge : op == CmpOp::ge ? CmpOp::le : op;
  }
  auto int64_like = [](ValueKind k) { return k == ValueKind::int64 || k == ValueKind::year; };
  auto exact = [](ValueKind k) {
    return k == ValueKind::decimal || k == ValueKind::int64 || k == ValueKind::year ||
           k == ValueKind::uint64 || k == ValueKind::bit || k == ValueKind::boolean;
  };
  const ValueKind lk = left->type().kind, rk = right->type().kind;
  const bool literal_right = right->constant() != nullptr;
  if (compare_mode(common) == CompareMode::decimal && exact(lk) && exact(rk)) {
    const Value* lit = right->constant();
    if (lit != nullptr && !lit->is_null() && lit->kind != ValueKind::decimal) {
      // An integer literal against a DECIMAL column: its DECIMAL text once, here.
      Decimal d;
      if (as_decimal(*lit, d)) {
        char buf[Decimal::kMaxTextLength];
        std::string text(buf, d.to_chars(buf));
        ExprType t = right->type();
        t.kind = ValueKind::decimal;
        right = std::make_unique<LiteralNode>(Value::decimal({}, d.scale()), std::move(text), t,
                                              right->offset());
      }
    }
    DecimalDigits literal_digits;
    if (literal_right && !right->constant()->is_null() &&
        right->constant()->kind == ValueKind::decimal &&
        split_decimal_digits(right->constant()->text, literal_digits)) {
      out = std::make_unique<DecimalLiteralCompareNode>(ast.offset, nullable, op, std::move(left),
                                                        std::move(right), literal_digits);
      return true;
    }
    out = make_fast_compare<DecimalOrder>(literal_right, ast.offset, nullable, op,
                                          std::move(left), std::move(right));
    return true;
  }
  if (int64_like(lk) && int64_like(rk)) {
    out = make_fast_compare<Int64Order>(literal_right, ast.offset, nullable, op, std::move(left),
                                        std::move(right));
    return true;
  }
  if (is_text_kind(lk) && is_text_kind(rk) && (op == CmpOp::eq || op == CmpOp::ne)) {
    out = make_fast_compare<TextEquality>(literal_right, ast.offset, nullable, op,
                                          std::move(left), std::move(right));
    return true;
  }
  if (is_text_kind(lk) && is_text_kind(rk)) {
    out = make_fast_compare<TextOrder>(literal_right, ast.offset, nullable, op, std::move(left),
                                       std::move(right));
    return true;
  }
  out = std::make_unique<CompareNode>(ast.offset, nullable, op, compare_mode(common),
                                      std::move(left), std::move(right));
  return true;
}

bool Compiler::compile_logical(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  const char* what = ast.kind == AstKind::logical_and  ? "AND"
                     : ast.kind == AstKind::logical_or ? "OR"
                                                       : "NOT";
  for (const NodePtr& a : args) {
    if (!require_boolean(*a, what)) return false;
  }
  if (ast.kind == AstKind::logical_not) {
    bool nullable = args[0]->type().nullable;
    out = std::make_unique<NotNode>(ast.offset, nullable, std::move(args[0]));
    return true;
  }
  bool nullable = either_nullable(*args[0], *args[1]);
  out = std::make_unique<AndOrNode>(ast.offset, nullable, ast.kind == AstKind::logical_and,
                                    std::move(args[0]), std::move(args[1]));
  return true;
}

bool Compiler::compile_in(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  ExprType common = args[0]->type();
  bool nullable = false;
  for (size_t i = 1; i < args.size(); ++i) {
    ExprType next;
    if (!common_type(common, args[i]->type(), next)) {
      return fail(args[i]->offset(), "IN list item of type " + type_name(args[i]->type()) +
                                         " cannot be compared with " + type_name(args[0]->type()));
    }
    common = next;
  }
  for (NodePtr& a : args) {
    nullable = nullable || a->type().nullable;
    if (is_text_kind(a->type().kind) && !is_text_kind(common.kind)) {
      a = coerce(std::move(a), common);
    }
  }
  NodePtr value = std::move(args[0]);
  args.erase(args.begin());
  out = std::make_unique<InNode>(ast.offset, nullable, ast.negated, compare_mode(common),
                                 std::move(value), std::move(args));
  return true;
}

bool Compiler::compile_between(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  ExprType common = args[0]->type(), next;
  for (size_t i = 1; i < 3; ++i) {
    if (!common_type(common, args[i]->type(), next)) {
      return fail(args[i]->offset(), "BETWEEN bound of type " + type_name(args[i]->type()) +
                                         " cannot be compared with " + type_name(args[0]->type()));
    }
    common = next;
  }
  bool nullable = false;
  for (NodePtr& a : args) {
    nullable = nullable || a->type().nullable;
    if (is_text_kind(a->type().kind) && !is_text_kind(common.kind)) {
      a = coerce(std::move(a), common);
    }
  }
  out = std::make_unique<BetweenNode>(ast.offset, nullable, ast.negated, compare_mode(common),
                                      std::move(args[0]), std::move(args[1]), std::move(args[2]));
  return true;
}

bool Compiler::compile_like(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  ExprType str = make_type(ValueKind::string);
  char32_t escape = '\\';  // Flink's default LIKE escape
  if (args.size() == 3) {
    const Value* e = args[2]->constant();
    if (e == nullptr || !is_text_kind(e->kind) || code_point_count(e->text) != 1) {
      return fail(args[2]->offset(), "ESCAPE needs a one-character string literal");
    }
    size_t pos = 0;
    escape = next_code_point(e->text, pos);
  }
  for (size_t i = 0; i < 2; ++i) {
    ValueKind k = args[i]->type().kind;
    if (!is_text_kind(k) && k != ValueKind::null) {
      return fail(args[i]->offset(), "LIKE needs strings, got " + type_name(args[i]->type()));
    }
  }
  bool nullable = either_nullable(*args[0], *args[1]);
  (void)str;
  out = std::make_unique<LikeNode>(ast.offset, nullable, ast.negated, escape, std::move(args[0]),
                                   std::move(args[1]));
  return true;
}

bool Compiler::compile_case(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  size_t i = 0;
  NodePtr operand;
  if (ast.has_operand) operand = std::move(args[i++]);
  std::vector<NodePtr> whens, thens;
  NodePtr otherwise;
  size_t end = args.size() - (ast.has_else ? 1 : 0);
  for (; i + 1 < end + 1 && i < end; i += 2) {
    whens.push_back(std::move(args[i]));
    thens.push_back(std::move(args[i + 1]));
  }
  if (ast.has_else) otherwise = std::move(args.back());
  // The WHEN side: conditions (searched CASE) or values comparable with the operand.
  ExprType operand_common = operand ? operand->type() : ExprType{};
  for (NodePtr& w : whens) {
    if (operand) {
      ExprType next;
      if (!common_type(operand_common, w->type(), next)) {
        return fail(w->offset(), "CASE value of type " + type_name(operand->type()) +
                                     " cannot be compared with WHEN " + type_name(w->type()));
      }
      operand_common = next;
    } else if (!require_boolean(*w, "WHEN")) {
      return false;
    }
  }
  if (operand && is_text_kind(operand->type().kind) && !is_text_kind(operand_common.kind)) {
    operand = coerce(std::move(operand), operand_common);
  }
  for (NodePtr& w : whens) {
    if (operand && is_text_kind(w->type().kind) && !is_text_kind(operand_common.kind)) {
      w = coerce(std::move(w), operand_common);
    }
  }
  // The result: the common type of all THEN and ELSE branches.
  ExprType result = thens[0]->type();
  for (size_t k = 0; k < thens.size() + (otherwise ? 1 : 0); ++k) {
    const Node& branch = k < thens.size() ? *thens[k] : *otherwise;
    ExprType next;
    if (!common_type(result, branch.type(), next)) {
      return fail(branch.offset(), "CASE branches have incompatible types " + type_name(result) +
                                       " and " + type_name(branch.type()));
    }
    result = next;
  }
  if (!otherwise) result.nullable = true;
  for (NodePtr& t : thens) t = coerce(std::move(t), result);
  if (otherwise) otherwise = coerce(std::move(otherwise), result);
  out = std::make_unique<CaseNode>(result, ast.offset, compare_mode(operand_common),
                                   std::move(operand), std::move(whens), std::move(thens),
                                   std::move(otherwise));
  return true;
}

bool Compiler::compile_cast(const Ast& ast, NodePtr& out) {
  NodePtr child;
  if (!compile(*ast.children[0], child)) return false;
  const std::string& name = ast.type_name;
  const std::vector<int64_t>& args = ast.type_args;
  ExprType to;
  uint8_t int_bits = 0;
  auto no_args = [&]() {
    return args.empty() || fail(ast.offset, "type " + name + " takes no arguments");
  };
  auto fsp_arg = [&](uint8_t default_fsp) {
    if (args.size() > 1 || (args.size() == 1 && args[0] > 6)) {
      return fail(ast.offset, name + " precision must be 0..6");
    }
    to.fsp = args.empty() ? default_fsp : static_cast<uint8_t>(args[0]);
    return true;
  };
  if (name == "BOOLEAN" || name == "BOOL") {
    to.kind = ValueKind::boolean;
    if (!no_args()) return false;
  } else if (name == "TINYINT" || name == "SMALLINT" || name == "INT" || name == "INTEGER" ||
             name == "BIGINT") {
    to.kind = ValueKind::int64;
    int_bits = name == "TINYINT" ? 8 : name == "SMALLINT" ? 16 : name == "BIGINT" ? 64 : 32;
    if (!no_args()) return false;
  } else if (name == "FLOAT" || name == "REAL" || name == "DOUBLE") {
    to.kind = ValueKind::float64;
    if (!no_args()) return false;
  } else if (name == "DECIMAL" || name == "NUMERIC" || name == "DEC") {
    to.kind = ValueKind::decimal;
    to.precision = args.empty() ? 10 : static_cast<uint32_t>(args[0]);
    to.scale = args.size() < 2 ? 0 : static_cast<uint32_t>(args[1]);
    if (args.size() > 2 || to.precision < 1 || to.precision > kMaxDecimalPrecision ||
        to.scale > to.precision) {
      return fail(ast.offset, "DECIMAL(p, s) needs 1 <= p <= 65 and 0 <= s <= p");
    }
  } else if (name == "CHAR" || name == "VARCHAR" || name == "STRING" || name == "TEXT") {
    to.kind = ValueKind::string;
  } else if (name == "BINARY" || name == "VARBINARY" || name == "BYTES") {
    to.kind = ValueKind::bytes;
  } else if (name == "DATE") {
    to.kind = ValueKind::date;
    if (!no_args()) return false;
  } else if (name == "TIME") {
    to.kind = ValueKind::time;
    if (!fsp_arg(0)) return false;
  } else if (name == "TIMESTAMP" || name == "DATETIME") {
    to.kind = ValueKind::datetime;
    if (!fsp_arg(6)) return false;
  } else if (name == "TIMESTAMP_LTZ") {
    to.kind = ValueKind::timestamp;
    if (!fsp_arg(6)) return false;
  } else {
    return fail(ast.offset, "unknown type " + name + " in CAST");
  }
  const ValueKind from = child->type().kind;
  bool allowed = from == ValueKind::null || from == to.kind || is_text_kind(from) ||
                 is_text_kind(to.kind) ||
                 ((is_numeric_kind(from) || from == ValueKind::boolean) &&
                  (is_numeric_kind(to.kind) || to.kind == ValueKind::boolean)) ||
                 ((is_datetime_kind(from) || from == ValueKind::time) &&
                  (is_datetime_kind(to.kind) || to.kind == ValueKind::time) &&
                  !(from == ValueKind::date && to.kind == ValueKind::time) &&
                  !(from == ValueKind::time && to.kind != ValueKind::time));
  if (!allowed) {
    return fail(ast.offset, "cannot CAST " + type_name(child->type()) + " AS " + type_name(to));
  }
  // Every CAST can fail on some input (text that is not a number, a value out of range).
  to.nullable = child->type().nullable || options_.overflow_is_null;
  out = std::make_unique<CastNode>(to, ast.offset, std::move(child), int_bits);
  return true;
}

}  // namespace cdc::expr
