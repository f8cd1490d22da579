// The comparison nodes: = <> < <= > >= (with specialised nodes for the common operand kinds
// and for a literal right side), IN and BETWEEN. The compiler finds the operands' common type
// and converts text to it; these nodes compare values of that type.
#pragma once

#include <cstdint>
#include <vector>

#include "cdc/expr/node.h"
#include "cdc/expr/value_ops.h"

namespace cdc::expr {

enum class CmpOp : uint8_t { eq, ne, lt, le, gt, ge };

// `left op right` over operands of a common type compared as `mode` says. A literal left side
// is swapped to the right (`100 < amount` as `amount > 100`), where it is read once here.
NodePtr make_comparison(uint32_t offset, bool nullable, CmpOp op, CompareMode mode, NodePtr left,
                        NodePtr right);

// `value [NOT] IN (items...)`: TRUE if any item equals; else NULL if the value or any item is
// NULL; else FALSE (negated: the opposite, NULL staying NULL).
NodePtr make_in(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr value,
                std::vector<NodePtr> items);

// `value [NOT] BETWEEN low AND high`.
NodePtr make_between(uint32_t offset, bool nullable, bool negated, CompareMode mode, NodePtr value,
                     NodePtr low, NodePtr high);

}  // namespace cdc::expr
