// MySQL/MariaDB column → Doris column type, after the Flink CDC MySQL → Doris mapping (README,
// "Doris sink", type table), and the CREATE TABLE / ALTER TABLE text the sink sends. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::sinks::doris {

// The Doris type of `c` ("BIGINT", "DECIMAL(10,2)", "VARCHAR(765)", "DATETIME(6)", ...). A
// key column never maps to STRING (Doris refuses STRING keys): it becomes VARCHAR(65533).
std::string doris_type(const Column& c, bool key);

// `name` quoted for Doris SQL with backticks.
std::string quote_ident(std::string_view name);

// CREATE TABLE IF NOT EXISTS `db`.`table` (...) UNIQUE KEY(...) DISTRIBUTED BY HASH(...)
// BUCKETS AUTO PROPERTIES (...): the key columns first, in key order (Doris requires the key
// to be an ordered prefix of the columns), then the others in source order; merge-on-write.
// Errc::unsupported for a table without a primary key (a Unique Key table needs one).
Result<std::string> create_table_sql(const std::string& db, const std::string& table,
                                     const TableSchema& schema,
                                     const std::map<std::string, std::string>& properties);

// ALTER TABLE `db`.`table` ADD COLUMN `c` <type> NULL.
std::string add_column_sql(const std::string& db, const std::string& table, const Column& c);
std::string drop_column_sql(const std::string& db, const std::string& table,
                            const std::string& column);

}  // namespace cdc::sinks::doris
