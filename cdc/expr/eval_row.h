// EvalRow: the inputs of one evaluation. It borrows the row's values and the arena: both must
// outlive the eval() call; nothing of it is kept after.
#pragma once

#include <cstdint>
#include <span>

#include "cdc/core/arena.h"
#include "cdc/core/value.h"

namespace cdc::expr {

// What one evaluation sees. Built on the stack by the stage for each row.
struct EvalRow {
  std::span<const Value> columns;  // the row image, in schema column order
  std::span<const Value> extra;    // values of Scope::add_extra slots
  Arena* arena = nullptr;          // where new strings go (the batch's arena)
  int64_t now_ms = 0;              // NOW()/CURRENT_TIMESTAMP for this batch
};

// True for the result of a filter: only boolean true passes (NULL and false drop the row).
inline bool is_true(const Value& v) { return v.kind == ValueKind::boolean && v.i != 0; }

}  // namespace cdc::expr
