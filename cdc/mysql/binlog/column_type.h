// MySQL column type codes as they appear in TABLE_MAP events (include/field_types.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace cdc::mysql {

enum class ColumnType : uint8_t {
  decimal = 0,
  tiny = 1,
  short_ = 2,
  long_ = 3,
  float_ = 4,
  double_ = 5,
  null = 6,
  timestamp = 7,
  longlong = 8,
  int24 = 9,
  date = 10,
  time = 11,
  datetime = 12,
  year = 13,
  newdate = 14,
  varchar = 15,
  bit = 16,
  timestamp2 = 17,
  datetime2 = 18,
  time2 = 19,
  typed_array = 20,
  vector = 242,
  json = 245,
  newdecimal = 246,
  enum_ = 247,
  set = 248,
  tiny_blob = 249,
  medium_blob = 250,
  long_blob = 251,
  blob = 252,
  var_string = 253,
  string = 254,
  geometry = 255,
};

std::string_view column_type_name(uint8_t type);  // "VARCHAR", "NEWDECIMAL", ...

// TABLE_MAP optional metadata classes a column belongs to (sql/log_event.cc, rows_event.h).
bool is_numeric_type(uint8_t type);
bool is_character_type(uint8_t real_type);
bool is_enum_or_set_type(uint8_t real_type);

}  // namespace cdc::mysql
