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
  load = 6,
  slave = 7,
  create_file = 8,
  append_block = 9,
  exec_load = 10,
  delete_file = 11,
  new_load = 12,
  rand = 13,
  user_var = 14,
  format_description = 15,
  xid = 16,
  begin_load_query = 17,
  execute_load_query = 18,
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

constexpr uint8_t code(EventType type) { return static_cast<uint8_t>(type); }

// The row events decode_rows_event() reads: v1 (MariaDB, MySQL 5.1-5.5), v2 (MySQL 5.6+) and
// MySQL 8's PARTIAL_UPDATE_ROWS.
constexpr bool is_rows_event(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::write_rows_v1:
    case EventType::update_rows_v1:
    case EventType::delete_rows_v1:
    case EventType::write_rows_v2:
    case EventType::update_rows_v2:
    case EventType::delete_rows_v2:
    case EventType::partial_update_rows: return true;
    default: return false;
  }
}

// v2 row events carry an extra-data block after their flags.
constexpr bool is_rows_event_v2(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::write_rows_v2:
    case EventType::update_rows_v2:
    case EventType::delete_rows_v2:
    case EventType::partial_update_rows: return true;
    default: return false;
  }
}

}  // namespace cdc::mysql
