// ExprType: the static type the compiler gives each expression and node. A plain value.
#pragma once

#include <cstdint>

#include "cdc/core/value.h"

namespace cdc::expr {

// The static type of an expression's result. `kind` uses the Value kinds; ValueKind::null means
// the literal NULL (compatible with everything).
struct ExprType {
  ValueKind kind = ValueKind::null;
  bool nullable = true;
  uint32_t precision = 0;  // decimal
  uint32_t scale = 0;      // decimal
  uint8_t fsp = 0;         // time/datetime/timestamp
};

// An ExprType of `kind` with the other fields at their defaults.
inline ExprType make_type(ValueKind kind, bool nullable = true) {
  ExprType t;
  t.kind = kind;
  t.nullable = nullable;
  return t;
}

}  // namespace cdc::expr
