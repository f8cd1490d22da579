#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

std::string_view column_type_name(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::decimal: return "DECIMAL";
    case ColumnType::tiny: return "TINY";
    case ColumnType::short_: return "SHORT";
    case ColumnType::long_: return "LONG";
    case ColumnType::float_: return "FLOAT";
    case ColumnType::double_: return "DOUBLE";
    case ColumnType::null: return "NULL";
    case ColumnType::timestamp: return "TIMESTAMP";
    case ColumnType::longlong: return "LONGLONG";
    case ColumnType::int24: return "INT24";
    case ColumnType::date: return "DATE";
    case ColumnType::time: return "TIME";
    case ColumnType::datetime: return "DATETIME";
    case ColumnType::year: return "YEAR";
    case ColumnType::newdate: return "NEWDATE";
    case ColumnType::varchar: return "VARCHAR";
    case ColumnType::bit: return "BIT";
    case ColumnType::timestamp2: return "TIMESTAMP2";
    case ColumnType::datetime2: return "DATETIME2";
    case ColumnType::time2: return "TIME2";
    case ColumnType::typed_array: return "TYPED_ARRAY";
    case ColumnType::vector: return "VECTOR";
    case ColumnType::json: return "JSON";
    case ColumnType::newdecimal: return "NEWDECIMAL";
    case ColumnType::enum_: return "ENUM";
    case ColumnType::set: return "SET";
    case ColumnType::tiny_blob: return "TINY_BLOB";
    case ColumnType::medium_blob: return "MEDIUM_BLOB";
    case ColumnType::long_blob: return "LONG_BLOB";
    case ColumnType::blob: return "BLOB";
    case ColumnType::var_string: return "VAR_STRING";
    case ColumnType::string: return "STRING";
    case ColumnType::geometry: return "GEOMETRY";
  }
  return "UNKNOWN";
}

bool is_numeric_type(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::tiny:
    case ColumnType::short_:
    case ColumnType::int24:
    case ColumnType::long_:
    case ColumnType::longlong:
    case ColumnType::newdecimal:
    case ColumnType::decimal:
    case ColumnType::float_:
    case ColumnType::double_: return true;
    default: return false;
  }
}

bool is_character_type(uint8_t real_type) {
  switch (static_cast<ColumnType>(real_type)) {
    case ColumnType::string:
    case ColumnType::var_string:
    case ColumnType::varchar:
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob: return true;
    default: return false;
  }
}

bool is_enum_or_set_type(uint8_t real_type) {
  return real_type == static_cast<uint8_t>(ColumnType::enum_) ||
         real_type == static_cast<uint8_t>(ColumnType::set);
}

}  // namespace cdc::mysql
