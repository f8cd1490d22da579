// TableMapCache: TABLE_MAP events turned into versioned schemas. Each table-map version owns
// its TableMapEvent, the cdc::TableSchema built from it (shared with the events decoded with
// it) and the per-column decode info. A TABLE_MAP with the same shape as the table's latest
// version reuses that version; a changed one (after ALTER TABLE) makes version + 1. Owned by
// one source's reader thread; not thread-safe (the TableVersions it hands out are immutable).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/row_decode_plan.h"
#include "cdc/mysql/binlog/table_map.h"

namespace cdc::mysql {

struct TableVersion {
  TableMapEvent map;
  TableSchemaPtr schema;
  std::vector<ColumnDecodeInfo> columns;  // labels point into `map` (immutable, same object)
  // Compiled from `columns`, for decode_row_image; its text values view the row event's bytes.
  RowDecodePlan plan;
};
using TableVersionPtr = std::shared_ptr<const TableVersion>;

// Builds the schema of one table-map version. Errc::invalid_config when the TABLE_MAP lacks
// what this slice needs (column names: binlog_row_metadata=FULL).
Result<TableSchema> build_table_schema(const TableMapEvent& map);
// "int(11) unsigned", "varchar(64)", "decimal(10,2)", "enum('a','b')": as well as the TABLE_MAP
// allows (display widths are the server defaults; MariaDB JSON shows as its longtext storage).
std::string source_type_text(const TableMapColumn& col);

class TableMapCache {
 public:
  // Fills in what a TABLE_MAP lacks before its version is built, and returns the columns whose
  // text is JSON as set_json_columns takes them (offline decoding: names from a DDL for a
  // binlog written without binlog_row_metadata=FULL, ddl_schema.h). Default: none, and such a
  // TABLE_MAP is refused.
  using Completer = std::function<Result<std::vector<std::string>>(TableMapEvent&)>;
  void set_completer(Completer completer) { completer_ = std::move(completer); }

  // Installs a TABLE_MAP (already decoded, so nothing half-applied on error). `version`, when
  // given, is the schema history's version of the table: the schema gets that number (and a
  // TABLE_MAP of the same shape makes a new schema when the number changed), so rows and
  // schema-change events agree on it.
  Result<TableVersionPtr> apply(TableMapEvent map, std::optional<uint64_t> version = std::nullopt);
  // The version mapped to `table_id`, nullptr when no TABLE_MAP for it has been seen.
  TableVersionPtr find(uint64_t table_id) const;
  // Marks columns whose text is JSON (MariaDB's JSON alias is only visible in the catalog).
  void set_json_columns(const TableId& table, std::vector<std::string> names);
  // GEOMETRY values of versions installed from now on decode to WKT instead of WKB
  // (source option geometry.format: wkt). Set before the first TABLE_MAP.
  void set_geometry_wkt(bool wkt) { geometry_wkt_ = wkt; }
  // What a byte sequence invalid in its column's charset becomes (source option
  // charset.invalid) in versions installed from now on. Set before the first TABLE_MAP.
  void set_invalid_text(InvalidText on_invalid) { on_invalid_ = on_invalid; }

 private:
  std::unordered_map<uint64_t, TableVersionPtr> by_id_;
  std::map<TableId, TableVersionPtr> latest_;
  std::map<TableId, std::vector<std::string>> json_columns_;
  Completer completer_;
  bool geometry_wkt_ = false;
  InvalidText on_invalid_ = InvalidText::fail;
};

}  // namespace cdc::mysql
