// Reads tables' schemas from a server's information_schema (COLUMNS, STATISTICS for the primary
// key, CHECK_CONSTRAINTS for MariaDB's JSON columns): what seeds the schema history and what a
// resync re-reads. One call = a few queries on the caller's connection; not thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/protocol/mysql_connection.h"

namespace cdc::mysql {

// The base tables outside the system schemas that `included` accepts, restricted to `only` when
// it is given, in db.table order. A table of `only` that does not exist is simply absent.
Result<std::vector<TableSchema>> read_catalog_schemas(
    MysqlConnection& conn, Flavor flavor, const std::function<bool(const TableId&)>& included,
    const std::vector<TableId>* only = nullptr);

// information_schema.COLUMNS.COLUMN_DEFAULT as the history keeps it: MariaDB quotes string
// literals ('abc') and prints a NULL default as NULL; the literal unquoted, nullopt for none.
std::optional<std::string> catalog_default(const std::optional<std::string>& column_default);

}  // namespace cdc::mysql
