// The arithmetic nodes: + - * / % over two operands and unary minus. The compiler chooses the
// mode and the result type (Flink's rules); the nodes only compute, with overflow and division
// by zero handled as CompileOptions says.
#pragma once

#include <cstdint>

#include "cdc/expr/node.h"

namespace cdc::expr {

// How an arithmetic node computes: BIGINT with overflow checks, exact DECIMAL, or DOUBLE.
enum class ArithMode : uint8_t { integer, decimal, floating };

// `left op right` for op in + - * / %. A DECIMAL result is rescaled to type.scale and must fit
// type.precision.
NodePtr make_arithmetic(ExprType type, uint32_t offset, char op, ArithMode mode, NodePtr left,
                        NodePtr right);

// -child, of type.kind: BIGINT (overflow checked), DOUBLE or DECIMAL.
NodePtr make_negate(ExprType type, uint32_t offset, NodePtr child);

}  // namespace cdc::expr
