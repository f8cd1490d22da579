// Binlog event type codes of MySQL (0..42) and MariaDB (160..171), with their printable names.
// Pure data; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::mysql {

enum class EventType : uint8_t {
  unknown = 0,
  start_v3 = 1,
  query = 2,
  stop = 3,
  rotate = 4,
  intvar = 5,
  rand = 13,
  user_var = 14,
  format_description = 15,
  xid = 16,
  table_map = 19,
  write_rows_v0 = 20,
  update_rows_v0 = 21,
  delete_rows_v0 = 22,
  write_rows_v1 = 23,
  update_rows_v1 = 24,
  delete_rows_v1 = 25,
  incident = 26,
  heartbeat = 27,
  ignorable = 28,
  rows_query = 29,
  write_rows_v2 = 30,
  update_rows_v2 = 31,
  delete_rows_v2 = 32,
  gtid = 33,
  anonymous_gtid = 34,
  previous_gtids = 35,
  transaction_context = 36,
  view_change = 37,
  xa_prepare = 38,
  partial_update_rows = 39,
  transaction_payload = 40,
  heartbeat_v2 = 41,
  gtid_tagged = 42,
  // MariaDB
  annotate_rows = 160,
  binlog_checkpoint = 161,
  mariadb_gtid = 162,
  gtid_list = 163,
  start_encryption = 164,
  query_compressed = 165,
  // MariaDB's log_event.h numbers the compressed v1 rows events first (the server's own
  // SHOW BINLOG EVENTS names 166 Write_rows_compressed_v1).
  write_rows_compressed_v1 = 166,
  update_rows_compressed_v1 = 167,
  delete_rows_compressed_v1 = 168,
  write_rows_compressed = 169,
  update_rows_compressed = 170,
  delete_rows_compressed = 171,
};

// "TABLE_MAP", "WRITE_ROWS_V1", ... ; "UNKNOWN" for codes sluice does not know.
std::string_view event_type_name(uint8_t type);
// "INCIDENT (26)": how errors name an event type.
std::string describe_event_type(uint8_t type);

inline bool is_rows_event(uint8_t type) {
  return (type >= 23 && type <= 25) || (type >= 30 && type <= 32) || type == 39;
}

}  // namespace cdc::mysql
