// Position: a typed, totally ordered, serialisable resume point of a source. A checkpoint
// stores the Position after the last event the sink has; resuming there neither loses nor
// repeats an event. A raw integer never means "position" in sluice.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cdc/core/result.h"

namespace cdc {

// A byte offset in a binlog file, as a type. With the file's name it makes a BinlogPosition.
enum class BinlogOffset : uint64_t {};
constexpr uint64_t value(BinlogOffset offset) { return static_cast<uint64_t>(offset); }
// Advancing past an event, and the bytes between two offsets.
constexpr BinlogOffset operator+(BinlogOffset offset, uint64_t bytes) {
  return BinlogOffset{value(offset) + bytes};
}
constexpr uint64_t operator-(BinlogOffset end, BinlogOffset start) {
  return value(end) - value(start);
}
std::string to_string(BinlogOffset offset);

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

// PostgreSQL (cdc/postgres): the slot replays whole transactions from its confirmed LSN, so a
// resume point is the last finished transaction plus the part of the next one delivered. A
// change's own LSN cannot count that part: the changes of one multi-insert (COPY) share theirs.
struct PostgresPosition {
  Lsn commit_lsn{0};  // end LSN of the last transaction delivered whole: what the slot may confirm
  Lsn lsn{0};  // commit LSN of the transaction partly delivered after it; 0 between transactions
  uint64_t events_to_skip = 0;  // change events of that transaction already delivered
  friend bool operator==(const PostgresPosition&, const PostgresPosition&) = default;
};

// The datagen source: rows are a pure function of their sequence number.
struct DatagenPosition {
  uint64_t next_row = 0;  // sequence number of the next row to generate
  friend bool operator==(const DatagenPosition&, const DatagenPosition&) = default;
};

// The stream position a snapshot's consistent read corresponds to: a binlog position (MariaDB's
// binlog_snapshot_file/_position) or a PostgreSQL slot's consistent point (commit_lsn: the
// transactions whose commit record lies before it are in the read, the others are not).
using StreamPoint = std::variant<MysqlPosition, PostgresPosition>;

// A snapshot of existing rows and its merge with the change stream (cdc/snapshot,
// ARCHITECTURE.md "Snapshots"). Segment i holds the rows from just after `from_key` of its
// table up to the next segment's start, as they were at the stream position `at` (a consistent
// read taken there). A segment starts where a run of the reader took a new consistent read: one
// per run of one connection (it holds the tables after its own too, read in name order at
// positions that only grow), one per split of a parallel read (`single_table`: it holds rows of
// its own table only; a table between two such segments was not read, e.g. created meanwhile).
struct SnapshotSegment {
  std::string db;
  std::string table;
  std::string
      from_key;    // encoded key (cdc/snapshot/snapshot_key.h) it starts after; "" = first row
  StreamPoint at;  // the consistent read's stream position
  bool single_table = false;
  friend bool operator==(const SnapshotSegment&, const SnapshotSegment&) = default;
};

// A part of one table that one of N parallel snapshot connections reads
// (`scan.snapshot.parallelism`, cdc/snapshot/parallel_snapshot_reader.h): the rows whose key
// is after `from_key` and at most `through_key` ("" = from the table's first row / to its last),
// delivered so far up to `after_key` ("" = none yet). Each run that reads it opens a consistent
// read of its own, which starts a segment at the split's progress (an empty split has one too).
// `delivered_key`: as SnapshotPosition's (a whole-value chunk cut, or a table without a key
// whose rows were delivered), where the next run's segment starts instead of `after_key`.
struct SnapshotSplit {
  std::string db;
  std::string table;
  std::string from_key;
  std::string through_key;
  std::string after_key;
  std::string delivered_key;
  friend bool operator==(const SnapshotSplit&, const SnapshotSplit&) = default;
};

// A table a re-snapshot still has to read (SnapshotPosition::resnapshot_tables).
struct SnapshotTable {
  std::string db;
  std::string table;
  friend bool operator==(const SnapshotTable&, const SnapshotTable&) = default;
};

struct SnapshotPosition {
  std::vector<SnapshotSegment> segments;  // in (table name, key) order
  // While reading (`reading`): the table being read and the key of the last row delivered
  // ("" = none yet). The tables before it in name order are finished.
  bool reading = true;
  std::string db;
  std::string table;
  std::string after_key;
  // While reading a table chunked by a non-unique key (whole-value chunks, whose progress
  // `after_key` records only at chunk ends): the greatest key delivered beyond `after_key`
  // ("" = none). A restart reads on after `after_key`, delivering those rows again, and its
  // segment starts after this key, so that the stream delivers every change of the rows an
  // earlier run delivered (ARCHITECTURE.md, "Snapshots": at least once, never lost).
  std::string delivered_key;
  // While reading with parallel connections: every table was split when the snapshot began,
  // and these are the splits not yet read to their end (db/table/after_key are then unused).
  // Empty for a snapshot read by one connection.
  std::vector<SnapshotSplit> splits;
  // After reading (`!reading`): where the change stream continues. Stream events at or past a
  // segment's `at` are delivered for the keys of that segment, the others were in its rows.
  StreamPoint stream;
  // After reading: a re-snapshot while streaming (cdc/snapshot/resnapshot.h) not finished yet,
  // so that a restart resumes it: the tables left, the first one being read, and the key of
  // its last row delivered ("" = none yet). Empty when none runs.
  std::vector<SnapshotTable> resnapshot_tables;
  std::string resnapshot_after_key;
  friend bool operator==(const SnapshotPosition&, const SnapshotPosition&) = default;
};

// Whether a snapshot was read from PostgreSQL (its points are LSNs). While reading, `stream` is
// not set yet: the segments say.
inline bool of_postgres(const SnapshotPosition& sp) {
  if (!sp.segments.empty()) return std::holds_alternative<PostgresPosition>(sp.segments[0].at);
  return std::holds_alternative<PostgresPosition>(sp.stream);
}

using Position = std::variant<std::monostate, DatagenPosition, MysqlPosition, PostgresPosition,
                              SnapshotPosition>;
Position to_position(const StreamPoint& at);

// Where one change event was read, for its metadata (Debezium's source.file/pos or
// source.lsn, the Kafka header sluice.position, error messages). Not a resume point: that is
// the batch's Position. Trivially copyable; the file name is a view into the batch's arena.
struct BinlogEventPosition {  // MySQL/MariaDB: the row (or DDL) event's file and offset
  std::string_view file;
  BinlogOffset offset{0};
  friend bool operator==(const BinlogEventPosition&, const BinlogEventPosition&) = default;
};
enum class RowSequence : uint64_t {};  // datagen: the row's sequence number
using EventPosition = std::variant<std::monostate, BinlogEventPosition, Lsn, RowSequence>;

// The one text form of each: "mysql-bin.000003:1234", "16/B374D848", "42"; "" for none.
void append_text(const EventPosition& at, std::string& out);
std::string to_string(const EventPosition& at);

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
