// TableMapEvent: TABLE_MAP (19) with all optional metadata (MySQL 8.0.1+/MariaDB 10.5+
// binlog_row_metadata), and its pure decoder. Owns its strings (it outlives the event bytes:
// the source caches it per table id).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

struct TableMapColumn {
  uint8_t type = 0;       // wire type (STRING for CHAR/ENUM/SET)
  uint8_t real_type = 0;  // ENUM/SET/STRING resolved from the STRING metadata; = type otherwise
  uint16_t meta = 0;      // as mysqlbinlog prints it (see column decoder for the per-type layout)
  bool nullable = true;
  // From optional metadata; empty/nullopt when the server did not send it.
  std::optional<bool> is_unsigned;
  std::optional<uint32_t> collation;  // character / enum / set columns
  std::string name;
  std::vector<std::string> labels;  // ENUM/SET labels
  std::optional<uint32_t> geometry_type;
  std::optional<bool> visible;
  uint32_t pk_prefix = 0;  // PRIMARY KEY prefix length (0 = whole column)
};

struct TableMapEvent {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string db;
  std::string table;
  std::vector<TableMapColumn> columns;
  std::vector<uint32_t> primary_key;  // column indices in key order
  bool has_column_names = false;
  bool has_signedness = false;
  bool has_primary_key = false;

  // Same table shape (ids aside): used to decide whether a TABLE_MAP needs a new schema version.
  bool same_shape(const TableMapEvent& other) const;
};

// Optional metadata field types (MySQL rows_event.h Table_map_event::Optional_metadata_field_type).
enum class TableMapMetadata : uint8_t {
  signedness = 1,
  default_charset = 2,
  column_charset = 3,
  column_name = 4,
  set_str_value = 5,
  enum_str_value = 6,
  geometry_type = 7,
  simple_primary_key = 8,
  primary_key_with_prefix = 9,
  enum_and_set_default_charset = 10,
  enum_and_set_column_charset = 11,
  column_visibility = 12,
};

Result<TableMapEvent> decode_table_map(std::span<const std::byte> body, const DecodeContext& ctx);

}  // namespace cdc::mysql
