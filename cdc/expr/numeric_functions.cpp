// Numeric functions: ABS CEIL/CEILING FLOOR ROUND MOD. Exact types stay exact (DECIMAL results
// are rounded on the digits, never through a double).
#include <charconv>
#include <cmath>
#include <string>

#include "cdc/expr/functions.h"

namespace cdc::expr {
namespace {

// The kind of computation a numeric function's argument needs.
enum class NumMode : uint8_t { integer, decimal, floating };

NumMode mode_of(const ExprType& t) {
  if (t.kind == ValueKind::float32 || t.kind == ValueKind::float64) return NumMode::floating;
  if (t.kind == ValueKind::decimal || t.kind == ValueKind::uint64 || t.kind == ValueKind::bit) {
    return NumMode::decimal;
  }
  return NumMode::integer;
}

struct RoundState final : FnState {
  NumMode mode = NumMode::integer;
  Decimal::Rounding rounding = Decimal::Rounding::half_up;
  uint32_t scale = 0;  // decimal result scale
};

Status decimal_out(const EvalContext& ctx, const CallNode& call, Decimal d, Value& out) {
  const ExprType& t = call.type();
  if (!d.rescale(t.scale) || d.integer_digits() > t.precision - t.scale) {
    return overflow(ctx, call.offset(), "result does not fit " + type_name(t), out);
  }
  out = Value::decimal(d.to_text(*ctx.row.arena), t.scale);
  return {};
}

Status abs_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t, Value& out) {
  switch (call.state<RoundState>().mode) {
    case NumMode::integer: {
      int64_t v = as_int64(a[0]);
      if (v == INT64_MIN) return overflow(ctx, call.offset(), "BIGINT overflow in ABS", out);
      out = Value::int64(v < 0 ? -v : v);
      return {};
    }
    case NumMode::floating: out = Value::float64(std::fabs(as_double(a[0]))); return {};
    case NumMode::decimal: {
      Decimal d;
      (void)as_decimal(a[0], d);  // ignored: typed as exact numeric at compile time
      if (d.negative()) d.negate();
      return decimal_out(ctx, call, d, out);
    }
  }
  return {};
}

// CEIL, FLOOR and ROUND(x, n) share one implementation: scale the digits to n with a rounding
// mode. For integers with n < 0 (ROUND(1234, -2) = 1200) the same happens on DECIMAL digits.
Status round_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                Value& out) {
  const RoundState& st = call.state<RoundState>();
  int64_t places = n > 1 ? as_int64(a[1]) : 0;
  if (st.mode == NumMode::floating) {
    double v = as_double(a[0]);
    switch (st.rounding) {
      case Decimal::Rounding::floor: out = Value::float64(std::floor(v)); return {};
      case Decimal::Rounding::ceiling: out = Value::float64(std::ceil(v)); return {};
      default: break;
    }
    if (!std::isfinite(v) || places > 300 || places < -300) {
      out = Value::float64(v);
      return {};
    }
    // Flink rounds doubles HALF_UP on their decimal text (BigDecimal), so 2.675 -> 2.68 there
    // too: round through the shortest decimal representation, not through pow(10, n).
    Decimal d;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string_view shortest(buf, static_cast<size_t>(end - buf));
    if (shortest.find('e') != std::string_view::npos || !Decimal::parse(shortest, d)) {
      double p = std::pow(10.0, static_cast<double>(places));
      out = Value::float64(std::round(v * p) / p);
      return {};
    }
    if (places >= 0) {
      if (static_cast<uint32_t>(places) < d.scale()) (void)d.rescale(static_cast<uint32_t>(places));
      out = Value::float64(d.to_double());
      return {};
    }
    double p = std::pow(10.0, static_cast<double>(-places));
    out = Value::float64(std::round(v / p) * p);
    return {};
  }
  Decimal d;
  (void)as_decimal(a[0], d);  // ignored: typed as exact numeric at compile time
  if (places >= 0) {
    if (static_cast<uint64_t>(places) < d.scale()) {
      (void)d.rescale(static_cast<uint32_t>(places), st.rounding);  // ignored: shrinking fits
    }
  } else {
    // Round to 10^-places: shift the point left, round to an integer, shift back.
    uint32_t shift = static_cast<uint32_t>(std::min<int64_t>(-places, 100));
    Decimal shifted = d;
    Decimal tenth;
    std::string power(shift + 1, '0');
    power[0] = '1';
    if (!Decimal::parse(power, tenth) || !div(shifted, tenth, shifted.scale() + shift, shifted) ||
        !shifted.rescale(0, st.rounding) || !mul(shifted, tenth, d)) {
      return overflow(ctx, call.offset(), "ROUND overflow", out);
    }
  }
  if (call.type().kind == ValueKind::int64) {
    int64_t v = 0;
    if (!d.to_int64(v)) return overflow(ctx, call.offset(), "BIGINT overflow in ROUND", out);
    out = Value::int64(v);
    return {};
  }
  return decimal_out(ctx, call, d, out);
}

bool build_abs(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!require_numeric(c, args[0], "ABS")) return false;
  auto st = std::make_unique<RoundState>();
  st->mode = mode_of(args[0]->type());
  ExprType t = args[0]->type();
  if (st->mode == NumMode::decimal) t = decimal_type_of(t);
  if (st->mode == NumMode::floating) t.kind = ValueKind::float64;
  if (t.kind == ValueKind::null || st->mode == NumMode::integer) t.kind = ValueKind::int64;
  t.nullable = t.nullable || c.options().overflow_is_null;
  out = std::make_unique<CallNode>(t, call.offset, "ABS", abs_fn, true, std::move(args),
                                   std::move(st));
  return true;
}

template <Decimal::Rounding kMode>
bool build_round(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!require_numeric(c, args[0], call.text)) return false;
  if (args.size() > 1 && !require_integer(c, args[1], call.text)) return false;
  auto st = std::make_unique<RoundState>();
  st->mode = mode_of(args[0]->type());
  st->rounding = kMode;
  ExprType t = args[0]->type();
  t.nullable = t.nullable || c.options().overflow_is_null;
  if (t.kind == ValueKind::null) t.kind = ValueKind::int64;
  if (st->mode == NumMode::floating) {
    t.kind = ValueKind::float64;
  } else if (st->mode == NumMode::integer) {
    t.kind = ValueKind::int64;
    st->mode = NumMode::decimal;  // integers round on their digits too (ROUND(15, -1) = 20)
  } else {
    // Flink: CEIL/FLOOR(DECIMAL(p, s)) -> DECIMAL(p - s + 1, 0); ROUND(DECIMAL(p, s), r) ->
    // DECIMAL(p - s + r + 1, r) for 0 <= r < s. r must be a literal to fix the type.
    ExprType d = decimal_type_of(t);
    int64_t r = 0;
    if (args.size() > 1) {
      const Value* lit = args[1]->constant();
      if (lit == nullptr || lit->kind != ValueKind::int64) {
        return c.fail(args[1]->offset(),
                      "ROUND of a DECIMAL needs a literal number of places (it fixes the "
                      "result's scale)");
      }
      r = lit->i;
    }
    if (r >= static_cast<int64_t>(d.scale)) {
      t = d;
    } else {
      int64_t scale = std::max<int64_t>(r, 0);
      t = d;
      t.precision = static_cast<uint32_t>(
          std::min<int64_t>(kMaxDecimalPrecision, d.precision - d.scale + scale + 1));
      t.scale = static_cast<uint32_t>(scale);
    }
    t.nullable = args[0]->type().nullable || c.options().overflow_is_null;
  }
  out = std::make_unique<CallNode>(t, call.offset, "ROUND", round_fn, true, std::move(args),
                                   std::move(st));
  return true;
}

bool build_mod(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  // MOD(a, b) is a % b: the operator's typing and evaluation, with the call's position.
  Ast op;
  op.kind = AstKind::binary;
  op.offset = call.offset;
  op.text = "%";
  return c.compile_arithmetic(op, std::move(args[0]), std::move(args[1]), out);
}

constexpr FunctionDef kNumericFunctions[] = {
    {"ABS", 1, 1, build_abs},
    {"CEIL", 1, 1, build_round<Decimal::Rounding::ceiling>},
    {"CEILING", 1, 1, build_round<Decimal::Rounding::ceiling>},
    {"FLOOR", 1, 1, build_round<Decimal::Rounding::floor>},
    {"ROUND", 1, 2, build_round<Decimal::Rounding::half_up>},
    {"MOD", 2, 2, build_mod},
};

}  // namespace

std::span<const FunctionDef> numeric_functions() { return kNumericFunctions; }

}  // namespace cdc::expr
