// ChunkReader: what a source implements, in its SQL dialect, for the snapshot engine
// (SnapshotReader): consistent reads and key-ordered chunks of a table's rows, streamed from the
// server. cdc/mysql's MysqlChunkReader is one. Owned and used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "cdc/core/arena.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::snapshot {

class ChunkReader {
 public:
  virtual ~ChunkReader() = default;
  // Opens a consistent read of every table (ending the previous one) and returns the stream
  // position it is consistent with: each change before that position is in the rows it reads,
  // none at or after it. Writes nothing to the source's tables.
  virtual Result<StreamPoint> begin_consistent_read() = 0;
  // Starts reading the rows of `table` whose key is greater than `after` (every row when
  // `after` is empty), in key order, at most `limit` of them (0: no limit, for a table without
  // a key, read in one pass). Rows are streamed from the server, not held.
  virtual Status start_chunk(const TableSchema& table, std::span<const Value> after,
                             uint64_t limit) = 0;
  // The next row of the chunk started last: one Value per column of the table's schema, in
  // `arena`; nullopt at the chunk's end.
  virtual Result<std::optional<std::span<const Value>>> next_row(Arena& arena) = 0;
  // Ends the consistent read.
  virtual Status end_consistent_read() = 0;
  // The server's estimate of the rows of `table` (its statistics, not a count: progress bars
  // only); nullopt when it has none. With no chunk open, inside a consistent read or not.
  virtual Result<std::optional<uint64_t>> estimate_rows(const TableSchema& table) {
    (void)table;
    return std::optional<uint64_t>();
  }
  // As start_chunk for a key that is not unique (a chunk key column of a table without a primary
  // key): the chunk ends after every row of the last key value it reaches, so that no value is
  // split between two chunks; it holds fewer than `limit` rows only at the table's end.
  virtual Status start_chunk_whole_values(const TableSchema& table, std::span<const Value> after,
                                          uint64_t limit) {
    (void)after;
    (void)limit;
    return make_error(Errc::unsupported,
                      "this source cannot chunk " + table.id.to_string() + " by a non-unique key");
  }

  // For parallel snapshots (ParallelSnapshotReader), both optional: a source without them has
  // each table read whole by one connection.
  //
  // As start_chunk, and only rows whose key is at most `through` (empty: no upper bound).
  virtual Status start_chunk_through(const TableSchema& table, std::span<const Value> after,
                                     std::span<const Value> through, uint64_t limit) {
    if (through.empty()) return start_chunk(table, after, limit);
    return make_error(Errc::unsupported, "this source cannot bound a snapshot chunk above");
  }
  // For a table without a key (else read in one pass by one connection): the places that cut
  // its storage into up to `parts` parts of about equal size, ascending. A part is read by
  // start_chunk_through with `after` = {its first place} (empty: the table's start) and
  // `through` = {the next part's first place} (empty: no bound), each a Value::uint64, the
  // first included and the second not. A place means something in one snapshot only: a source
  // implements this only if every consistent read of one run is the same snapshot (PostgreSQL's
  // shared export). Empty: one part. Called inside the run's first consistent read.
  virtual Result<std::vector<uint64_t>> storage_split_points(const TableSchema& table,
                                                             size_t parts) {
    (void)table;
    (void)parts;
    return std::vector<uint64_t>();
  }
  // The least and the greatest key of `table` (one key column) as of now, in `arena`; nullopt
  // when the table has no rows. May be called outside a consistent read.
  struct KeyBounds {
    Value least;
    Value greatest;
  };
  virtual Result<std::optional<KeyBounds>> key_bounds(const TableSchema& table, Arena& arena) {
    (void)arena;
    return make_error(Errc::unsupported,
                      "this source cannot tell the key range of " + table.id.to_string());
  }
};

}  // namespace cdc::snapshot
