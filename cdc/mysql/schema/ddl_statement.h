// DdlStatement: what one DDL statement of a binlog QUERY event does to tables, as far as the
// schema history needs it: CREATE TABLE (also ... LIKE), ALTER TABLE (ADD/DROP/MODIFY/CHANGE/
// RENAME COLUMN, ALTER COLUMN ... DEFAULT, ADD/DROP PRIMARY KEY, RENAME TO, and clauses that change
// no column), RENAME TABLE, DROP TABLE and TRUNCATE. Pure parsing: no I/O; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/core/table_schema.h"
#include "cdc/mysql/schema/ddl_schema.h"

namespace cdc::mysql {

struct AlterClause {
  enum class Kind : uint8_t {
    add_column,
    drop_column,
    modify_column,
    change_column,
    rename_column,
    set_default,  // ALTER [COLUMN] c SET DEFAULT v / DROP DEFAULT (column.default_value)
    add_primary_key,
    drop_primary_key,
    rename_table,
    convert_charset,   // CONVERT TO CHARACTER SET cs (column.charset): every character column's
    table_charset,     // [DEFAULT] CHARACTER SET= cs (column.charset): of columns added after it
    no_column_change,  // ADD INDEX, ENGINE=..., COMMENT=..., ALGORITHM=..., ...
  };
  Kind kind = Kind::no_column_change;
  std::string name;  // the existing column (drop, modify, change, rename, set_default)
  // add/modify/change: the new definition; rename_column: only column.name (the new name).
  DdlColumn column;
  bool inherits_charset = false;         // a character column that names no character set
  bool if_exists = false;                // IF EXISTS (drop/modify/change) or IF NOT EXISTS (add)
  bool first = false;                    // FIRST
  std::string after;                     // AFTER column ("" none)
  std::vector<std::string> key_columns;  // add_primary_key
  TableId new_table;                     // rename_table
};

struct DdlStatement {
  enum class Kind : uint8_t {
    other,  // changes no table's columns (INSERT, CREATE DATABASE, GRANT, CREATE INDEX, ...)
    create_table,
    create_table_like,
    alter_table,
    rename_tables,
    drop_tables,
    truncate_table,
    drop_database,  // DROP DATABASE/SCHEMA: every table of `table.db`
    // A table DDL this parser cannot read: `error` says why, `tables` holds the tables it names
    // as far as they could be read (empty: unknown).
    unparseable,
  };
  Kind kind = Kind::other;
  TableId table;                     // create_table, create_table_like, alter_table, truncate_table
  TableId like;                      // create_table_like: the table copied
  DdlTable created;                  // create_table: the declaration (columns, primary key)
  bool if_exists = false;            // IF [NOT] EXISTS on the table (create, drop)
  std::vector<AlterClause> clauses;  // alter_table, in order
  std::vector<std::pair<TableId, TableId>> renames;  // rename_tables, in order: from -> to
  std::vector<TableId> tables;                       // drop_tables; unparseable: the tables named
  std::string error;                                 // unparseable
};

// Parses one statement; unqualified table names are in `default_db` (the QUERY event's).
DdlStatement parse_ddl_statement(std::string_view sql, std::string_view default_db);

// The TableSchema a declaration makes (version 1).
TableSchema to_table_schema(const TableId& id, const DdlTable& table);
Column to_column(const DdlColumn& c);

}  // namespace cdc::mysql
