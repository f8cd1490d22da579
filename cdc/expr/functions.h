// The function library's shared pieces: the generic call node (evaluates its arguments into a
// stack array, then one C++ function), per-call compiled state (regexes, patterns), and the
// tables of functions each *_functions.cpp file provides.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "cdc/expr/compiler.h"

namespace cdc::expr {

inline constexpr size_t kMaxArgs = 64;

// State prepared at compile time for one call site (a compiled regex, a checked pattern).
struct FnState {
  virtual ~FnState() = default;
};

class CallNode;
using FnImpl = Status (*)(const EvalContext& ctx, const CallNode& call, const Value* args,
                          size_t count, Value& out);

class CallNode final : public Node {
 public:
  // strict: any NULL argument makes the result NULL without calling fn (most SQL functions).
  CallNode(ExprType type, uint32_t offset, std::string_view name, FnImpl fn, bool strict,
           std::vector<NodePtr> args, std::unique_ptr<FnState> state = nullptr)
      : Node(type, offset),
        name_(name),
        fn_(fn),
        strict_(strict),
        args_(std::move(args)),
        state_(std::move(state)) {}

  bool eval(const EvalContext& ctx, Value& out) const override;

  std::string_view name() const { return name_; }
  template <class T>
  const T& state() const {
    return static_cast<const T&>(*state_);
  }

 private:
  std::string_view name_;  // static storage: the function table's name
  FnImpl fn_;
  bool strict_;
  std::vector<NodePtr> args_;
  std::unique_ptr<FnState> state_;
};

// Builds the node of one call from its compiled arguments (or fails via Compiler::fail).
using FnBuilder = bool (*)(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out);

struct FunctionDef {
  std::string_view name;
  uint8_t min_args;
  uint8_t max_args;  // kMaxArgs: variadic
  FnBuilder build;
  // The first argument is a unit keyword (TIMESTAMPDIFF(DAY, a, b)): passed uncompiled, the
  // builder reads call.children[0].
  bool unit_first = false;
};

std::span<const FunctionDef> string_functions();
std::span<const FunctionDef> numeric_functions();
std::span<const FunctionDef> temporal_functions();
std::span<const FunctionDef> special_functions();  // regex, JSON, hashes, MASK, conditionals

// Helpers shared by the builders.
ExprType result_type(ValueKind kind, const std::vector<NodePtr>& args,
                     bool always_nullable = false);
// Text arguments: non-text values are converted to their text form (CAST AS STRING).
void coerce_to_text(Compiler& c, std::vector<NodePtr>& args, size_t from = 0, size_t to = kMaxArgs);
// Requires an integer-typed argument (BIGINT and friends), for positions/lengths/counts.
bool require_integer(Compiler& c, const NodePtr& arg, std::string_view function);
bool require_numeric(Compiler& c, const NodePtr& arg, std::string_view function);
Status set_text(const EvalContext& ctx, std::string_view text, Value& out);

}  // namespace cdc::expr
