// PgSchemaStore: where the PostgreSQL source keeps each captured table's versions by stream
// position (ARCHITECTURE.md, "PostgreSQL source"). pgoutput sends a Relation before a table's
// first change of each session and after each change of its columns; compared with the
// catalog's current columns, a replay from a checkpoint before an ALTER would meet the old
// columns and take them for a change. Seeded with the version in force at the resume point, the
// relation cache reports exactly the changes after it. Implementations must be thread-safe.
#pragma once

#include <optional>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::postgres {

class PgSchemaStore {
 public:
  virtual ~PgSchemaStore() = default;
  // `schema` is in force from `at` on; a second put at the same position replaces the first.
  virtual Status put(const PostgresPosition& at, const TableSchema& schema) = 0;
  // The version of `table` in force at `at` (the last put at or before it); nullopt: none.
  virtual Result<std::optional<TableSchema>> at(const TableId& table,
                                                const PostgresPosition& at) = 0;
};

}  // namespace cdc::postgres
