// The boolean connectives and tests: AND, OR, NOT (SQL's three-valued logic, evaluated as
// Truth without building Values) and IS [NOT] NULL / TRUE / FALSE.
#pragma once

#include <cstdint>

#include "cdc/expr/node.h"

namespace cdc::expr {

// `left AND right` (is_and) or `left OR right`; the right side is skipped when the left decides.
NodePtr make_and_or(uint32_t offset, bool nullable, bool is_and, NodePtr left, NodePtr right);
NodePtr make_not(uint32_t offset, bool nullable, NodePtr child);
// `child IS [NOT] NULL`: never NULL itself.
NodePtr make_is_null(uint32_t offset, bool negated, NodePtr child);
// `child IS [NOT] TRUE` (target true) or `IS [NOT] FALSE`: never NULL itself.
NodePtr make_is_bool(uint32_t offset, bool target, bool negated, NodePtr child);

}  // namespace cdc::expr
