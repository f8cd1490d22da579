#include "cdc/expr/compiler.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "cdc/core/text.h"
#include "cdc/expr/arithmetic_nodes.h"
#include "cdc/expr/comparison_nodes.h"
#include "cdc/expr/conditional_nodes.h"
#include "cdc/expr/like_node.h"
#include "cdc/expr/logic_nodes.h"
#include "cdc/expr/unicode.h"
#include "cdc/expr/value_nodes.h"

namespace cdc::expr {
namespace {

// The slot of a column bound without a table (Scope::bind_unknown_columns): beyond any row.
constexpr uint32_t kUnboundSlot = UINT32_MAX - 1;

bool either_nullable(const Node& a, const Node& b) {
  return a.type().nullable || b.type().nullable;
}

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
    case ValueKind::decimal: return CompareMode::decimal;
    case ValueKind::float32:
    case ValueKind::float64: return CompareMode::floating;
    case ValueKind::boolean: return CompareMode::boolean;
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::timestamp: return CompareMode::temporal;
    case ValueKind::time: return CompareMode::time;
    default: return is_text_kind(t.kind) ? CompareMode::text : CompareMode::integer;
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
  return make_cast(target, offset, std::move(node), 0);
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
    case AstKind::timestamp_literal: return compile_literal(ast, out);
    case AstKind::column: return compile_column(ast, out);
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
      out = make_negate(rt, ast.offset, std::move(child));
      return true;
    }
    case AstKind::binary: return compile_binary(ast, out);
    case AstKind::logical_and:
    case AstKind::logical_or:
    case AstKind::logical_not: return compile_logical(ast, out);
    case AstKind::is_null: {
      NodePtr child;
      if (!compile(*ast.children[0], child)) return false;
      out = make_is_null(ast.offset, ast.negated, std::move(child));
      return true;
    }
    case AstKind::is_bool: {
      NodePtr child;
      if (!compile(*ast.children[0], child)) return false;
      if (!require_boolean(*child, "IS TRUE/FALSE")) return false;
      out = make_is_bool(ast.offset, ast.text == "true", ast.negated, std::move(child));
      return true;
    }
    case AstKind::in_list: return compile_in(ast, out);
    case AstKind::between: return compile_between(ast, out);
    case AstKind::like: return compile_like(ast, out);
    case AstKind::case_when: return compile_case(ast, out);
    case AstKind::cast: return compile_cast(ast, out);
    case AstKind::call: return compile_call(*this, ast, out);
  }
  return fail(ast.offset, "internal: unknown syntax node");
}

bool Compiler::compile_literal(const Ast& ast, NodePtr& out) {
  Value v;
  ExprType t;
  t.nullable = false;
  std::string storage;
  switch (ast.kind) {
    case AstKind::null_literal: t.nullable = true; break;
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
    default: return fail(ast.offset, "internal: not a literal");
  }
  out = make_literal(v, std::move(storage), t, ast.offset);
  return true;
}

bool Compiler::compile_column(const Ast& ast, NodePtr& out) {
  std::span<const Scope::Extra> extras = scope_.extras();
  for (size_t i = extras.size(); i-- > 0;) {  // a later add shadows an earlier one
    if (iequals_ascii(extras[i].name, ast.text)) {
      out = make_column(extras[i].type, ast.offset, extras[i].index, true, ast.text);
      return true;
    }
  }
  const TableSchema& table = scope_.table();
  // Exact spelling first, then Flink's case-insensitive match.
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < table.columns.size(); ++i) {
      const std::string& name = table.columns[i].name;
      if (pass == 0 ? name == ast.text : iequals_ascii(name, ast.text)) {
        out = make_column(column_type(table.columns[i]), ast.offset, i, false, ast.text);
        return true;
      }
    }
  }
  if (scope_.binds_unknown_columns()) {
    // No slot: the column node's eval() reports the missing value if this is ever evaluated.
    out = make_column(ExprType{}, ast.offset, kUnboundSlot, true, ast.text);
    return true;
  }
  std::string message = "unknown column '" + ast.text + "'";
  std::string table_id = table_name();
  if (table_id != ".") message += " in table " + table_id;
  std::string best;
  size_t best_distance = 3;
  auto consider = [&](const std::string& name) {
    size_t d =
        edit_distance(lower_ascii(ast.text), lower_ascii(name));  // names match case-insensitively
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
      case '*': adjust_precision_scale(p1 + p2 + 1, s1 + s2, rt); break;
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
  out = make_arithmetic(rt, ast.offset, op, mode, std::move(left), std::move(right));
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
  const bool nullable = either_nullable(*left, *right);  // before the operands are moved
  out = make_comparison(ast.offset, nullable, op, compare_mode(common), std::move(left),
                        std::move(right));
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
    out = make_not(ast.offset, nullable, std::move(args[0]));
    return true;
  }
  bool nullable = either_nullable(*args[0], *args[1]);
  out = make_and_or(ast.offset, nullable, ast.kind == AstKind::logical_and, std::move(args[0]),
                    std::move(args[1]));
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
      // `common`, not the value's type: the same words when the value's type is unknown.
      return fail(args[i]->offset(), "IN list item of type " + type_name(args[i]->type()) +
                                         " cannot be compared with " + type_name(common));
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
  out = make_in(ast.offset, nullable, ast.negated, compare_mode(common), std::move(value),
                std::move(args));
  return true;
}

bool Compiler::compile_between(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
  ExprType common = args[0]->type(), next;
  for (size_t i = 1; i < 3; ++i) {
    if (!common_type(common, args[i]->type(), next)) {
      return fail(args[i]->offset(), "BETWEEN bound of type " + type_name(args[i]->type()) +
                                         " cannot be compared with " + type_name(common));
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
  out = make_between(ast.offset, nullable, ast.negated, compare_mode(common), std::move(args[0]),
                     std::move(args[1]), std::move(args[2]));
  return true;
}

bool Compiler::compile_like(const Ast& ast, NodePtr& out) {
  std::vector<NodePtr> args;
  if (!compile_children(ast, args)) return false;
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
  out =
      make_like(ast.offset, nullable, ast.negated, escape, std::move(args[0]), std::move(args[1]));
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
  out = make_case(result, ast.offset, compare_mode(operand_common), std::move(operand),
                  std::move(whens), std::move(thens), std::move(otherwise));
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
  out = make_cast(to, ast.offset, std::move(child), int_bits);
  return true;
}

}  // namespace cdc::expr
