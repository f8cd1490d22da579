// The conditional nodes: CASE, IF and COALESCE. Each evaluates only the branches it needs (a
// branch not taken can neither fail nor cost time). The compiler gives the branches one common
// type before building them.
#pragma once

#include <cstdint>
#include <vector>

#include "cdc/expr/node.h"
#include "cdc/expr/value_ops.h"

namespace cdc::expr {

// CASE [operand] WHEN whens[i] THEN thens[i] ... [ELSE otherwise] END. With an operand, a WHEN
// matches when it equals the operand (compared as `mode` says); without, when it is TRUE.
// `operand` and `otherwise` may be null.
NodePtr make_case(ExprType type, uint32_t offset, CompareMode mode, NodePtr operand,
                  std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise);

// IF(cond, then, otherwise): `then` when cond is TRUE; `otherwise` when it is FALSE or NULL.
NodePtr make_if(ExprType type, uint32_t offset, NodePtr cond, NodePtr then, NodePtr otherwise);

// COALESCE(args...): the first non-NULL argument, evaluated left to right.
NodePtr make_coalesce(ExprType type, uint32_t offset, std::vector<NodePtr> args);

}  // namespace cdc::expr
