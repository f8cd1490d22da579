// The Doris test server's databases and Unique Key tables (merge-on-write: the last write per
// key wins, the delete sign removes the key) and the SQL the FE's HTTP SQL API runs on them.
// Not thread-safe: the server holds one lock around it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "tests/fakes/doris/doris_types.h"

namespace cdc::testing::doris {

struct ColumnDef {
  std::string name;
  DorisType type;
  bool nullable = true;
  std::optional<std::string> default_value;  // canonical; nullopt = no DEFAULT clause
  std::string comment;
};

using Cell = std::optional<std::string>;  // canonical text (doris_types.h), nullopt = NULL
using Row = std::vector<Cell>;            // one per column, in column order

// One row of a load, checked against the table's columns when it was loaded. Applied at
// commit by column name: a column added since gets its default, a dropped one is ignored.
struct RowChange {
  bool remove = false;  // __DORIS_DELETE_SIGN__ = 1
  std::vector<std::pair<std::string, Cell>> values;
  Cell sequence;  // __DORIS_SEQUENCE_COL__, for a table with a sequence column
  // partial_columns: `values` holds the named columns only; the others keep the stored row's
  // values (or get their defaults for a new key).
  bool partial = false;
};

struct Table {
  std::string name;
  std::vector<ColumnDef> columns;
  size_t key_count = 0;  // the UNIQUE KEY columns are the first key_count columns
  std::vector<std::pair<std::string, std::string>> properties;
  std::string comment;
  std::map<std::vector<std::string>, Row> rows;  // by key values
  // `function_column.sequence_type` (Doris docs, "Sequence Column"): the type of the hidden
  // __DORIS_SEQUENCE_COL__; nullopt for a table without one.
  std::optional<DorisType> sequence_type;
  // The sequence value of every key written, deleted keys included: Doris keeps a delete-signed
  // row with its sequence value, and a later row with a smaller one does not replace it.
  std::map<std::vector<std::string>, Cell> sequences;

  std::optional<size_t> column_index(std::string_view name) const;
  // Applies one loaded row; false when the table's sequence column kept the stored row.
  bool apply(const RowChange& change);
};

struct Database {
  std::map<std::string, Table> tables;  // by lower-case name (Doris table names: see catalog.cpp)
};

// What the SQL API returns: a result set, or an exec status for DDL.
struct SqlResult {
  bool result_set = false;
  std::vector<std::pair<std::string, std::string>> meta;  // (name, type)
  // Cells as JSON text (numbers bare, strings quoted, null).
  std::vector<std::vector<std::string>> rows;
};

class Catalog {
 public:
  Database& ensure_database(const std::string& name) { return dbs_[name]; }
  Database* database(const std::string& name);
  Table* table(const std::string& db, const std::string& name);

  // Runs one statement with `db` as the session's database. Errors carry Doris's message
  // (errCode = 2, detailMessage = ...) in Error::message.
  Result<SqlResult> execute(const std::string& db, std::string_view stmt);

 private:
  std::map<std::string, Database> dbs_;
};

}  // namespace cdc::testing::doris
