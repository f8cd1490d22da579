// Position: a typed, totally ordered, serialisable resume point of a source. A checkpoint
// stores the Position after the last event the sink has; resuming there neither loses nor
// repeats an event. A raw integer never means "position" in sluice.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "cdc/core/result.h"

namespace cdc {

struct BinlogPosition {
  std::string file;     // "mysql-bin.000042"
  uint64_t offset = 0;  // byte offset in that file
  friend bool operator==(const BinlogPosition&, const BinlogPosition&) = default;
};

// MySQL/MariaDB: restart at the BEGIN of the current transaction and skip what was delivered
// (Debezium's BinlogOffsetContext semantics).
struct MysqlPosition {
  BinlogPosition binlog;        // position of the BEGIN (or GTID event) of the transaction
  std::string gtid_set;         // executed GTID set (MySQL uuid:1-5, MariaDB 0-1-100) after it
  uint64_t events_to_skip = 0;  // row events of that transaction already delivered
  uint64_t rows_to_skip = 0;    // rows of the next row event already delivered
  friend bool operator==(const MysqlPosition&, const MysqlPosition&) = default;
};

enum class Lsn : uint64_t {};
std::string to_string(Lsn lsn);  // "16/B374D848", as PostgreSQL prints it

struct PostgresPosition {
  Lsn commit_lsn{0};  // commit LSN of the transaction being delivered (or last finished)
  Lsn lsn{0};         // LSN of the last delivered change inside it
  friend bool operator==(const PostgresPosition&, const PostgresPosition&) = default;
};

// The datagen source: rows are a pure function of their sequence number.
struct DatagenPosition {
  uint64_t next_row = 0;  // sequence number of the next row to generate
  friend bool operator==(const DatagenPosition&, const DatagenPosition&) = default;
};

using Position = std::variant<std::monostate, DatagenPosition, MysqlPosition, PostgresPosition>;

// Human-readable form for logs and `sluice checkpoints`: "mysql-bin.000042:1337 gtid=... skip=2/0".
std::string to_string(const Position& p);

// Versioned binary encoding (version byte first). decode() rejects unknown versions/kinds.
std::string encode_position(const Position& p);
Result<Position> decode_position(std::span<const std::byte> bytes);

// Total order within one kind. Positions of different kinds are unordered.
std::partial_ordering compare(const Position& a, const Position& b);

// Numeric suffix of a binlog file name ("mysql-bin.000042" -> 42), for ordering.
uint64_t binlog_file_index(std::string_view file);

}  // namespace cdc
