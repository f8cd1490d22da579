#include "cdc/expr/functions.h"

#include <cstddef>
#include <new>

namespace cdc::expr {

bool CallNode::eval(const EvalContext& ctx, Value& out) const {
  // Raw storage, constructed only for the arguments there are: zeroing all kMaxArgs Values
  // per call cost more than the rest of a call like UPPER(x).
  alignas(Value) std::byte storage[sizeof(Value) * kMaxArgs];
  Value* values = reinterpret_cast<Value*>(storage);
  for (size_t i = 0; i < args_.size(); ++i) {
    new (&values[i]) Value();
    if (!args_[i]->eval(ctx, values[i])) return false;
    if (strict_ && values[i].is_null()) {
      out = Value();
      return true;
    }
  }
  return ctx.check(fn_(ctx, *this, values, args_.size(), out));
}

ExprType result_type(ValueKind kind, const std::vector<NodePtr>& args, bool always_nullable) {
  ExprType t;
  t.kind = kind;
  t.nullable = always_nullable;
  for (const NodePtr& a : args) t.nullable = t.nullable || a->type().nullable;
  return t;
}

void coerce_to_text(Compiler& c, std::vector<NodePtr>& args, size_t from, size_t to) {
  ExprType str;
  str.kind = ValueKind::string;
  for (size_t i = from; i < args.size() && i < to; ++i) {
    if (!is_text_kind(args[i]->type().kind)) args[i] = c.coerce(std::move(args[i]), str);
  }
}

bool require_integer(Compiler& c, const NodePtr& arg, std::string_view function) {
  ValueKind k = arg->type().kind;
  if (k == ValueKind::int64 || k == ValueKind::null || k == ValueKind::year ||
      k == ValueKind::uint64 || k == ValueKind::bit) {
    return true;
  }
  return c.fail(arg->offset(),
                std::string(function) + " needs an integer here, got " + type_name(arg->type()));
}

bool require_numeric(Compiler& c, const NodePtr& arg, std::string_view function) {
  ValueKind k = arg->type().kind;
  if (is_numeric_kind(k) || k == ValueKind::null) return true;
  return c.fail(arg->offset(),
                std::string(function) + " needs a number, got " + type_name(arg->type()));
}

Status set_text(const EvalContext& ctx, std::string_view text, Value& out) {
  out = Value::string(store_text(ctx, text));
  return {};
}

bool compile_call(Compiler& c, const Ast& call, NodePtr& out) {
  const FunctionDef* def = nullptr;
  for (auto table :
       {string_functions(), numeric_functions(), temporal_functions(), special_functions()}) {
    for (const FunctionDef& d : table) {
      if (d.name == call.text) def = &d;
    }
  }
  if (def == nullptr) return c.fail(call.offset, "unknown function " + call.text);
  const size_t n = call.children.size();
  if (n < def->min_args || n > def->max_args) {
    std::string expected = def->min_args == def->max_args ? std::to_string(def->min_args)
                           : def->max_args == kMaxArgs ? "at least " + std::to_string(def->min_args)
                                                       : std::to_string(def->min_args) + " to " +
                                                             std::to_string(def->max_args);
    return c.fail(call.offset, call.text + " takes " + expected + " argument" +
                                   (expected.ends_with(" 1") || expected == "1" ? "" : "s") +
                                   ", got " + std::to_string(n));
  }
  std::vector<NodePtr> args;
  for (size_t i = def->unit_first ? 1 : 0; i < n; ++i) {
    NodePtr a;
    if (!c.compile(*call.children[i], a)) return false;
    args.push_back(std::move(a));
  }
  return def->build(c, call, args, out);
}

}  // namespace cdc::expr
