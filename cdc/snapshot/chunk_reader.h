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
};

}  // namespace cdc::snapshot
