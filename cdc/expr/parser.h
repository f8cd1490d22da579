// Recursive-descent parser of the transform expression language (a Flink SQL scalar
// expression subset). Produces an Ast or a SyntaxError with the byte offset of the problem.
#pragma once

#include <string_view>

#include "cdc/expr/ast.h"
#include "cdc/expr/lexer.h"

namespace cdc::expr {

// Parses the whole of `text` as one expression. Nesting deeper than kMaxDepth is refused
// (the evaluator recurses over the tree; a hostile expression must not exhaust the stack).
bool parse_expression(std::string_view text, AstPtr& out, SyntaxError& error);

inline constexpr int kMaxDepth = 200;

}  // namespace cdc::expr
