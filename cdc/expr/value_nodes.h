// The nodes that read a value without computing one: a literal, a column of the row (or an
// extra slot), and CAST, which converts its child's value. Built by the compiler (compiler.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "cdc/expr/node.h"

namespace cdc::expr {

// A literal of any type (also the result of constant folding). `storage` owns the bytes of a
// text or DECIMAL value; value.text is pointed at it.
NodePtr make_literal(Value value, std::string storage, ExprType type, uint32_t offset);

// Slot `index` of EvalRow::extra when `extra`, else of EvalRow::columns. `name` is for the
// error when a row has fewer values than the schema the node was compiled for.
NodePtr make_column(ExprType type, uint32_t offset, uint32_t index, bool extra, std::string name);

// CAST(child AS to): cast_value() semantics, int_bits as it takes them (0: no narrowing).
NodePtr make_cast(ExprType to, uint32_t offset, NodePtr child, uint8_t int_bits);

}  // namespace cdc::expr
