// The compiler: type-checks an Ast against a Scope (column names resolved to slots once) and
// builds the evaluation node tree: the type rules live in compiler.cpp, the nodes they build in
// the *_nodes.cpp files, functions in functions.cpp and the *_functions.cpp files.
// A compile error records the byte offset of the offending construct and a message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cdc/expr/ast.h"
#include "cdc/expr/node.h"
#include "cdc/expr/scope.h"
#include "cdc/expr/value_ops.h"

namespace cdc::expr {

class Compiler {
 public:
  Compiler(const Scope& scope, const CompileOptions& options, std::string_view text)
      : scope_(scope), options_(options), text_(text) {}

  bool compile(const Ast& ast, NodePtr& out);
  // Compiles every child of `ast` into `args`.
  bool compile_children(const Ast& ast, std::vector<NodePtr>& args);

  // Records the first error (offset into the text + message); always returns false.
  bool fail(uint32_t offset, std::string message);
  uint32_t error_offset() const { return error_offset_; }
  const std::string& error_message() const { return error_message_; }

  // Wraps `node` in a CAST to `to` unless it already has that type.
  NodePtr coerce(NodePtr node, const ExprType& to);
  // The type two operands share (numeric widening, text -> temporal); false if none.
  static bool common_type(const ExprType& a, const ExprType& b, ExprType& out);
  static CompareMode compare_mode(const ExprType& t);

  // `left op right` for op in ast.text (+ - * / %) over compiled operands (also MOD()).
  bool compile_arithmetic(const Ast& ast, NodePtr left, NodePtr right, NodePtr& out);

  const CompileOptions& options() const { return options_; }
  std::string_view text() const { return text_; }
  const Scope& scope() const { return scope_; }
  // Table name for messages ("app.orders"), or "" when the scope has no table id.
  std::string table_name() const { return scope_.table().id.to_string(); }

 private:
  bool compile_literal(const Ast& ast, NodePtr& out);
  bool compile_column(const Ast& ast, NodePtr& out);
  bool compile_binary(const Ast& ast, NodePtr& out);
  bool compile_comparison(const Ast& ast, NodePtr left, NodePtr right, NodePtr& out);
  bool compile_logical(const Ast& ast, NodePtr& out);
  bool compile_in(const Ast& ast, NodePtr& out);
  bool compile_between(const Ast& ast, NodePtr& out);
  bool compile_like(const Ast& ast, NodePtr& out);
  bool compile_case(const Ast& ast, NodePtr& out);
  bool compile_cast(const Ast& ast, NodePtr& out);
  bool require_boolean(const Node& node, std::string_view what);

  const Scope& scope_;
  const CompileOptions& options_;
  std::string_view text_;
  uint32_t error_offset_ = 0;
  std::string error_message_;
  bool failed_ = false;
};

// Functions (functions.cpp): builds the node for a call, or fails with a message.
bool compile_call(Compiler& c, const Ast& call, NodePtr& out);
// `a || b`: CONCAT of already compiled operands.
bool build_concat(Compiler& c, uint32_t offset, std::vector<NodePtr> args, NodePtr& out);

}  // namespace cdc::expr
