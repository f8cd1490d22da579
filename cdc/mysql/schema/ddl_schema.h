// DdlSchema: tables as a DDL file (CREATE TABLE statements, e.g. `mysqldump --no-data`)
// declares them, parsed only as far as offline decoding needs: column names in order,
// UNSIGNED, ENUM/SET labels and the primary key. complete_table_map() fills a TABLE_MAP that
// was written without binlog_row_metadata=FULL from it, or names the columns col_1, col_2, ...
// Immutable after parse; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/value.h"
#include "cdc/mysql/binlog/table_map.h"

namespace cdc::mysql {

struct DdlColumn {
  std::string name;
  bool is_unsigned = false;
  std::vector<std::string> labels;  // ENUM/SET members in declaration order
  // Character columns (CHAR, VARCHAR, TEXT, ENUM, SET): the column's, else the table's
  // character set, else utf8mb4; "binary" for CHARACTER SET binary; "" for other types.
  std::string charset;
  // MariaDB JSON: declared JSON, or text with CHECK (json_valid(`col`)). Its text is JSON.
  bool json = false;
  // The rest of the definition, for the schema history (binlog DDL):
  std::string source_type;  // as information_schema.COLUMNS.COLUMN_TYPE: "int(10) unsigned"
  ValueKind kind = ValueKind::string;
  bool nullable = true;
  uint32_t length = 0;     // CHAR/VARCHAR/BINARY/VARBINARY length, BIT width
  uint32_t precision = 0;  // DECIMAL
  uint32_t scale = 0;
  uint8_t fsp = 0;                           // TIME/DATETIME/TIMESTAMP fractional digits
  std::optional<std::string> default_value;  // the literal, unquoted; nullopt: none or NULL
};

struct DdlTable {
  std::string db;  // from `db.table` or the last USE; empty = matches the table in any database
  std::string table;
  std::vector<DdlColumn> columns;
  std::vector<uint32_t> primary_key;  // indices into columns, in key order
  std::string where;                  // "FILE:LINE" of the CREATE TABLE
};

class DdlSchema {
 public:
  // Statements: CREATE TABLE is parsed; USE sets the database of the unqualified tables that
  // follow; CREATE DATABASE/SCHEMA, DROP and SET change no column and are passed over. Any
  // other statement, or a CREATE TABLE this parser cannot read (CREATE TABLE ... LIKE/AS),
  // is Errc::invalid_config naming "FILE:LINE". `file` only names the text in errors.
  static Result<DdlSchema> parse(std::string_view text, std::string_view file);
  // Reads and parses a file; Errc::io when it cannot be read.
  static Result<DdlSchema> load(const std::string& path);

  // The table declared for db.table (a qualified declaration wins over an unqualified one),
  // nullptr when the file does not declare it. A table declared twice: the later one.
  const DdlTable* find(std::string_view db, std::string_view table) const;
  const std::vector<DdlTable>& tables() const { return tables_; }

 private:
  std::vector<DdlTable> tables_;
};

// Makes a TABLE_MAP written with binlog_row_metadata=MINIMAL (MySQL's default) or by a server
// without optional metadata (MySQL 5.7, MariaDB < 10.5) decodable: what the event lacks is
// taken from `ddl` (may be null) — names, signedness, ENUM/SET labels, primary key — else the
// columns are named col_1, col_2, ... and integers read as signed (MySQL itself cannot tell
// without metadata). Character columns without a collation in the event (MySQL 5.7) get the
// DDL's character set; without a DDL they stay bytes (base64 in JSON). What the TABLE_MAP does
// carry always wins. Returns the character columns the DDL declares as JSON (MariaDB: only the
// DDL or the server's catalog knows), for TableMapCache::set_json_columns. Errc::invalid_config
// when the DDL declares a table whose TABLE_MAP has no column names with another number of
// columns than the binlog holds (a DDL that does not match a TABLE_MAP with names is not used).
Result<std::vector<std::string>> complete_table_map(TableMapEvent& map, const DdlSchema* ddl);

}  // namespace cdc::mysql
