// Resnapshot: reads tables again while the change stream goes on (a re-snapshot, asked for by
// Source::request_snapshot or a signal-table row; ARCHITECTURE.md, "Snapshots"). Each chunk
// gets a window: a consistent read and the stream point where its rows go out. MariaDB reports
// the binlog position W of its read view, which is both the low and the high watermark: the
// source delivers every stream change before W, pauses the stream exactly at W, and only then
// emits the chunk's rows (the table at W). PostgreSQL has no such position: its source pauses at
// a high watermark written after the snapshot and passes a RowGate that skips the rows of keys
// the stream changed in between (touched_keys.h). Either way each key's output is its changes
// before the cut, its row as of the read (or nothing when a newer change went out), then its
// changes after: nothing lost, nothing reordered, each row read once. Rows are streamed from the
// server, never a whole chunk held. Used by one thread (the source's reader).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
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
#include "cdc/snapshot/touched_keys.h"

namespace cdc::snapshot {

// What to do with a chunk's row (one Value per column of the table) before it goes out.
using RowGate = std::function<RowVerdict(const TableSchema&, std::span<const Value> row)>;

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

  // Opens the next chunk's window and returns the stream point of its consistent read
  // (ChunkReader::begin_consistent_read); nullopt when every table is read (or none is
  // waiting). The caller streams up to the window's watermark before fill().
  Result<std::optional<StreamPoint>> open_window();
  // Forgets the window opened (its read was ended by the caller), so that the next
  // open_window() opens another.
  void drop_window() { window_.reset(); }
  // The window open, if any.
  const std::optional<StreamPoint>& window() const { return window_; }
  // The table being read (the front of the queue); null when none.
  const TableSchema* current() const { return tables_.empty() ? nullptr : tables_.front().get(); }
  // With the stream at the watermark: appends up to `max_events` rows of the window's chunk as
  // `r` events (source.snapshot = incremental, source.at = the window's point), each as `gate`
  // says (unset: every row). Returns false once the chunk is done or cut (the window is then
  // closed; after a cut the table goes on after the last row before it).
  Result<bool> fill(Batch& batch, size_t max_events, const RowGate& gate = {});

  // What a checkpoint records to resume this re-snapshot: the tables left (the first being
  // read) and the key of the last row delivered of the first ("" = none yet). Exact at every
  // batch end: fill() keeps the key of each batch's last row.
  std::vector<SnapshotTable> pending() const;
  const std::string& after_key() const { return after_bytes_; }

  uint64_t rows_read() const { return rows_; }
  uint64_t rows_skipped() const { return skipped_; }
  uint64_t chunks_cut() const { return cuts_; }
  uint64_t chunks_read() const { return chunks_; }
  uint64_t tables_done() const { return tables_done_; }
  uint64_t tables_requested() const { return tables_requested_; }
  // Every table requested since this object was made, in request order.
  const std::vector<TableSnapshotProgress>& table_progress() const { return progress_.tables(); }

 private:
  ChunkReader& reader_;
  SnapshotReaderOptions options_;
  std::deque<TableSchemaPtr> tables_;  // front: the table being read
  std::optional<StreamPoint> window_;
  bool chunk_open_ = false;
  uint64_t chunk_rows_ = 0;
  std::string after_bytes_;   // the key the next chunk starts after (encoded)
  std::vector<Value> after_;  // views into after_bytes_
  uint64_t rows_ = 0;
  uint64_t skipped_ = 0;
  uint64_t cuts_ = 0;
  uint64_t chunks_ = 0;
  uint64_t tables_done_ = 0;
  uint64_t tables_requested_ = 0;
  TableProgressBook progress_;
};

}  // namespace cdc::snapshot
