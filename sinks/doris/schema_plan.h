// What a source schema change asks of the Doris table, per Flink CDC's
// `schema.change.behavior` (Flink CDC docs, "Schema Evolution"): the ALTER TABLE statements
// of `evolve`, their lenient form, or nothing. Pure: the sink runs the statements.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/core/table_schema.h"
#include "sinks/doris/doris_options.h"

namespace cdc::sinks::doris {

// A column of the Doris table as DESC shows it.
struct DorisColumn {
  std::string name;
  std::string type;  // DESC's Type: "INT", "VARCHAR(60)"
  bool nullable = true;
  bool key = false;
};

// (old, new) column names that the MySQL statement `ddl` renames: `RENAME COLUMN a TO b` and
// `CHANGE [COLUMN] a b <type>` (a CHANGE that keeps the name is a type change). Names
// unquoted; matching is case-insensitive, as MySQL column names are.
std::vector<std::pair<std::string, std::string>> renamed_columns(std::string_view ddl);

struct SchemaPlan {
  // The statements to run, in order, and a one-line description of each for logs and errors.
  std::vector<std::string> statements;
  std::vector<std::string> changes;
  bool empty() const { return statements.empty(); }
};

// The change from the Doris table `present` (DESC) and the previous source version `previous`
// (null after a restart: then no type change is seen) to `next`, for `behavior`:
// - evolve / try_evolve: RENAME COLUMN for renames the DDL names, ADD COLUMN (nullable) for new
//   columns, DROP COLUMN for columns the source no longer has, MODIFY COLUMN for value columns
//   whose mapped type changed;
// - lenient (Flink: "does not send drop table or truncate table"; a rename adds the new column
//   and keeps the old one nullable; a drop makes the column nullable; added columns are
//   nullable): ADD COLUMN for new and renamed columns, MODIFY ... NULL for NOT NULL columns
//   the source dropped or renamed, MODIFY COLUMN for type changes;
// - exception / ignore: the changes evolve would make (the caller refuses or skips them).
SchemaPlan plan_schema_change(const std::string& db, const std::string& table,
                              const std::vector<DorisColumn>& present, const TableSchema* previous,
                              const TableSchema& next, std::string_view ddl,
                              SchemaChangeBehavior behavior);

}  // namespace cdc::sinks::doris
