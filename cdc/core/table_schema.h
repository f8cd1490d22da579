// TableSchema: one immutable version of a table's shape. A DDL makes a new version; the batch
// of in-flight rows holds a std::shared_ptr<const TableSchema> to each version its events point
// to, so they keep the version they were decoded with while a newer one is installed. Safe to
// share across threads (immutable). Made with std::make_shared: a cache keyed by an event's
// schema pointer takes its own reference with weak_from_this().lock() (schema_of).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/value.h"

namespace cdc {

struct TableId {
  std::string db;  // MySQL database, or Postgres "schema" (the namespace)
  std::string table;
  std::string to_string() const { return db + "." + table; }
  friend bool operator==(const TableId&, const TableId&) = default;
  friend auto operator<=>(const TableId&, const TableId&) = default;
};

struct Column {
  std::string name;
  // The source's full type text as the source prints it: "int(11) unsigned", "varchar(255)",
  // "decimal(10,2)", "datetime(3)", "enum('a','b')", "numeric(12,4)". Encoders that report
  // source types (canal-json mysqlType) print it unchanged.
  std::string source_type;
  // The kind of Value this column decodes to (null aside).
  ValueKind kind = ValueKind::string;
  bool nullable = true;
  bool is_unsigned = false;
  std::string charset;              // "utf8mb4", "latin1", "binary", "" when not a text column
  uint32_t length = 0;              // declared length (chars / bytes / bits) where the type has one
  uint32_t precision = 0;           // decimal precision
  uint32_t scale = 0;               // decimal scale
  uint8_t fsp = 0;                  // fractional-second digits of time types
  std::vector<std::string> labels;  // enum/set labels in declaration order
  std::optional<std::string> default_value;
};

struct TableSchema : std::enable_shared_from_this<TableSchema> {
  TableId id;
  std::vector<Column> columns;
  std::vector<uint32_t> primary_key;  // indices into columns, in key order
  uint64_t version = 1;
  // Indices into columns of the partition key a sink should create the table with (a
  // transform's `partition-keys`); empty = the sink's default. Sources leave it empty.
  std::vector<uint32_t> partition_key;

  // Index of the column with this name, if any.
  std::optional<uint32_t> column_index(std::string_view name) const;
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

// A reference of one's own to the schema an event points to (events hold a plain pointer;
// their batch holds the references): for caches keyed by schema, whose key must stay alive
// (and so unique) as long as the entry. nullptr for a schema not made by std::make_shared.
inline TableSchemaPtr schema_of(const TableSchema* schema) {
  return schema == nullptr ? nullptr : TableSchemaPtr(schema->weak_from_this().lock());
}

}  // namespace cdc
