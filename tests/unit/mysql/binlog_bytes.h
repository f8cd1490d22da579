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

}  // namespace cdc::mysql::testing
