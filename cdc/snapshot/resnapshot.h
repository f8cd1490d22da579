// Resnapshot: reads tables again while the change stream goes on (a re-snapshot, asked for by
// Source::request_snapshot or a signal-table row; ARCHITECTURE.md, "Snapshots"). Each chunk
// gets a window: a consistent read whose stream position W is both its low and its high
// watermark (MariaDB reports W with the read view). The source delivers every stream change
// before W, pauses the stream exactly at W, and only then emits the chunk's rows (the table at
// W) before streaming on; so each key's output is its changes up to W, its row as of W, then
// its changes after W: nothing lost, nothing reordered, each row read once. Rows are streamed
// from the server, never a whole chunk held. Used by one thread (the source's reader).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/snapshot/chunk_reader.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::snapshot {

class Resnapshot {
 public:
  // `reader` must outlive this object.
  Resnapshot(ChunkReader& reader, SnapshotReaderOptions options);

  // Adds tables to read (a table already waiting or being read is not added twice).
  // `first_after`: when nothing is waiting, the first table is read after this encoded key
  // (snapshot_key.h), where a re-snapshot cut short by a restart stopped.
  Status add(const std::vector<TableSchemaPtr>& tables, std::string_view first_after = {});
  bool idle() const { return tables_.empty() && !window_; }
  // Takes `table` out while none of its rows was read (the stream captures it whole: a newly
  // added table created after the checkpoint), ending the window opened for it. Returns whether
  // it was taken out.
  Result<bool> remove(const TableId& table);

  // Opens the next chunk's window and returns its watermark W; nullopt when every table is
  // read (or none is waiting). The caller streams up to W before fill().
  Result<std::optional<MysqlPosition>> open_window();
  // Forgets the window opened (its read was ended by the caller), so that the next
  // open_window() opens another.
  void drop_window() { window_.reset(); }
  // The window open, if any.
  const std::optional<MysqlPosition>& window() const { return window_; }
  // With the stream at W: appends up to `max_events` rows of the window's chunk as `r` events
  // (source.snapshot = incremental, source.at = W). Returns false once the chunk is done (the
  // window is then closed).
  Result<bool> fill(Batch& batch, size_t max_events);

  // What a checkpoint records to resume this re-snapshot: the tables left (the first being
  // read) and the key of the last row delivered of the first ("" = none yet). Exact at every
  // batch end: fill() keeps the key of each batch's last row.
  std::vector<SnapshotTable> pending() const;
  const std::string& after_key() const { return after_bytes_; }

  uint64_t rows_read() const { return rows_; }
  uint64_t chunks_read() const { return chunks_; }
  uint64_t tables_done() const { return tables_done_; }
  uint64_t tables_requested() const { return tables_requested_; }
  // Every table requested since this object was made, in request order.
  const std::vector<TableSnapshotProgress>& table_progress() const { return progress_.tables(); }

 private:
  ChunkReader& reader_;
  SnapshotReaderOptions options_;
  std::deque<TableSchemaPtr> tables_;  // front: the table being read
  std::optional<MysqlPosition> window_;
  bool chunk_open_ = false;
  uint64_t chunk_rows_ = 0;
  std::string after_bytes_;   // the key the next chunk starts after (encoded)
  std::vector<Value> after_;  // views into after_bytes_
  uint64_t rows_ = 0;
  uint64_t chunks_ = 0;
  uint64_t tables_done_ = 0;
  uint64_t tables_requested_ = 0;
  TableProgressBook progress_;
};

}  // namespace cdc::snapshot
