// DmlStatement: whether a binlog QUERY (or EXECUTE_LOAD_QUERY) statement changes rows — a
// statement-based change (binlog_format=STATEMENT, or MIXED when the server found the
// statement safe to log as text) — and which table it writes, as far as one can tell without
// running it. The binlog then holds the statement, not the rows, so a CDC pipeline cannot emit
// its changes (BinlogStream: statement-events). Pure parsing: no I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/table_schema.h"

namespace cdc::mysql {

struct DmlStatement {
  std::string verb;  // "INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD DATA"
  // The table written, when the statement names exactly one (INSERT/REPLACE ... INTO t,
  // UPDATE t SET, DELETE FROM t WHERE/ORDER/LIMIT, LOAD DATA ... INTO TABLE t); nullopt for a
  // multi-table UPDATE/DELETE or a text this reader cannot follow. Unqualified names take the
  // QUERY's default database.
  std::optional<TableId> table;
};

// nullopt when `sql` is not a row-changing statement (DDL, BEGIN, SAVEPOINT, ...).
std::optional<DmlStatement> parse_dml_statement(std::string_view sql, std::string_view default_db);

}  // namespace cdc::mysql
