// `value [NOT] LIKE pattern [ESCAPE e]`: SQL LIKE over code points.
#pragma once

#include <cstdint>

#include "cdc/expr/node.h"

namespace cdc::expr {

// NULL when the value or the pattern is NULL. `escape` makes the pattern's next code point
// literal (Flink's default: backslash).
NodePtr make_like(uint32_t offset, bool nullable, bool negated, char32_t escape, NodePtr value,
                  NodePtr pattern);

}  // namespace cdc::expr
