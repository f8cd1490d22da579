// What a PostgreSQL type is for the conversion (PgClass, PgResolved and resolve_pg_type are in
// pg_types.h, as the source resolves each column once per Relation). Shared by pg_column (the
// column's kind) and the value parsers.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/result.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

// True for true arrays (typname "_x", category 'A'): int2vector and oidvector, which also
// have an element type, print "1 2 3" and are classed `other`.
bool is_pg_array(const PgTypeInfo& info);

}  // namespace cdc::postgres
