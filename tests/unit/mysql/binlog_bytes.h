// Hand-built binlog bytes for unit tests: little-endian integers, raw text, and the TABLE_MAP
// body of a two-column table `db.table (id INT, <name> <type>)` with the optional metadata that
// binlog_row_metadata=FULL writes (signedness, column names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace cdc::mysql::testing {

using Bytes = std::vector<std::byte>;

inline void put_int(Bytes& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
inline void put_str(Bytes& out, std::string_view s) {
  for (char c : s) out.push_back(static_cast<std::byte>(c));
}
inline Bytes bytes_of(std::initializer_list<int> v) {
  Bytes out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

// `type` is the second column's type byte and `meta` its one byte of type metadata (a length
// prefix size for JSON, VECTOR, BLOB); the second column is nullable, id is a signed INT.
inline Bytes two_column_table_map(uint64_t table_id, std::string_view db, std::string_view table,
                                  uint8_t type, uint8_t meta, std::string_view name) {
  Bytes b;
  put_int(b, table_id, 6);
  put_int(b, 1, 2);  // flags
  for (std::string_view s : {db, table}) {
    b.push_back(static_cast<std::byte>(s.size()));
    put_str(b, s);
    b.push_back(std::byte{0});
  }
  b.push_back(std::byte{2});  // columns
  b.push_back(std::byte{3});  // INT
  b.push_back(static_cast<std::byte>(type));
  b.push_back(std::byte{1});  // metadata length
  b.push_back(static_cast<std::byte>(meta));
  b.push_back(std::byte{0x02});  // nullability: the second column
  b.push_back(std::byte{1});     // SIGNEDNESS: 1 numeric column, signed
  b.push_back(std::byte{1});
  b.push_back(std::byte{0});
  b.push_back(std::byte{4});  // COLUMN_NAME
  b.push_back(static_cast<std::byte>(1 + 2 + 1 + name.size()));
  b.push_back(std::byte{2});
  put_str(b, "id");
  b.push_back(static_cast<std::byte>(name.size()));
  put_str(b, name);
  return b;
}

// A v4 event around `body`, without a checksum: timestamp, type, server id, size, log_pos (the
// next event's offset; 0 inside a TRANSACTION_PAYLOAD), flags.
struct EventHeaderFields {
  uint32_t log_pos = 0;
  uint16_t flags = 0;
  uint32_t server_id = 1;
  uint32_t timestamp = 1700000000;
};
inline Bytes v4_event(uint8_t type, const Bytes& body, const EventHeaderFields& h) {
  Bytes ev;
  put_int(ev, h.timestamp, 4);
  ev.push_back(static_cast<std::byte>(type));
  put_int(ev, h.server_id, 4);
  put_int(ev, 19 + body.size(), 4);
  put_int(ev, h.log_pos, 4);
  put_int(ev, h.flags, 2);
  ev.insert(ev.end(), body.begin(), body.end());
  return ev;
}

// The post-header and bitmaps of a v2 row event (`type`: 30 write, 31 update, 32 delete, 39
// partial update) of a two-column table with both columns present: table id, STMT_END, no
// extra data; an update also has the after image's bitmap. The rows follow.
inline Bytes two_column_rows_header(uint64_t table_id, uint8_t type) {
  Bytes b;
  put_int(b, table_id, 6);
  put_int(b, 1, 2);  // STMT_END
  put_int(b, 2, 2);  // no extra data
  b.push_back(std::byte{2});
  b.push_back(std::byte{0x03});
  if (type != 30 && type != 32) b.push_back(std::byte{0x03});
  return b;
}

}  // namespace cdc::mysql::testing
