// The syntax tree of one expression, as the parser builds it: untyped, names unresolved.
// The compiler (compiler.cpp) type-checks it against a Scope and turns it into evaluation
// nodes; the tree itself is dropped after compile().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cdc::expr {

enum class AstKind : uint8_t {
  null_literal,
  bool_literal,       // text "true"/"false"
  int_literal,        // text: the digits
  decimal_literal,    // text: "1.50"
  float_literal,      // text: "1e3"
  string_literal,     // text: the unescaped string
  date_literal,       // DATE '2024-01-02'           text: the quoted part
  time_literal,       // TIME '10:11:12'
  timestamp_literal,  // TIMESTAMP '2024-01-02 10:11:12'
  column,             // text: the name as written (unquoted)
  unary,              // text: "-", "+"
  binary,             // text: + - * / % || = <> < <= > >=
  logical_and,
  logical_or,
  logical_not,
  is_null,    // negated: IS NOT NULL
  is_bool,    // IS [NOT] TRUE/FALSE; text "true"/"false"
  in_list,    // children[0] IN (children[1..])
  between,    // children: value, low, high
  like,       // children: value, pattern[, escape]
  case_when,  // children: [operand], when, then, when, then, ..., [else]
  cast,       // children[0]; type_name, type_args
  call,       // text: the function name upper-cased; children: arguments
};

struct Ast {
  AstKind kind = AstKind::null_literal;
  uint32_t offset = 0;  // byte offset of the construct's first token in the expression text
  std::string text;
  bool negated = false;      // NOT IN, NOT BETWEEN, NOT LIKE, IS NOT ...
  bool has_operand = false;  // CASE x WHEN ...
  bool has_else = false;
  std::string type_name;           // CAST target, upper-case: DECIMAL, VARCHAR, TIMESTAMP_LTZ...
  std::vector<int64_t> type_args;  // DECIMAL(10, 2) -> {10, 2}
  std::vector<std::unique_ptr<Ast>> children;
};

using AstPtr = std::unique_ptr<Ast>;

}  // namespace cdc::expr
