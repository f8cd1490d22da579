// For unit tests that build events without a batch: events point at their schema without
// owning it (in the pipeline their batch holds it, Batch::hold), so a test helper taking a
// temporary schema keeps it here, alive until the test binary exits.
#pragma once

#include <mutex>
#include <vector>

#include "cdc/core/table_schema.h"

namespace cdc::testing {

inline const TableSchema* kept_schema(TableSchemaPtr schema) {
  static std::mutex mutex;
  static std::vector<TableSchemaPtr> kept;
  std::lock_guard lock(mutex);
  kept.push_back(schema);
  return schema.get();
}

}  // namespace cdc::testing
