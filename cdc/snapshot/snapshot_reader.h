// SnapshotReader: reads every captured table's existing rows as `r` (read) events through a
// source's ChunkReader, table by table in name order, each in key-ordered chunks of
// `chunk_size` rows (keyset: the next chunk starts after the last key read), all inside one
// consistent read per run. Its position (SnapshotPosition) is the checkpoint: the tables and
// keys delivered, and one segment per consistent read with the stream position it saw, which
// StreamFilter uses to merge the change stream without a gap or a duplicate (ARCHITECTURE.md,
// "Snapshots"). Used by one thread (the source's).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/snapshot/chunk_reader.h"
#include "cdc/snapshot/snapshot_key.h"
#include "cdc/snapshot/snapshot_run.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::snapshot {

struct SnapshotReaderOptions {
  std::string pipeline_name;   // for the log and the events' source.name
  std::string connector;       // the events' source.connector: "mysql"
  uint64_t chunk_size = 8096;  // rows per chunk (scan.incremental.snapshot.chunk.size), >= 1
  ChunkKeyFn chunk_key;
};

// A table as the snapshot reads it: `schema` for its events, `key` for its chunks and keys (the
// same schema, or a copy whose primary_key is the chunk key).
struct KeyedTable {
  TableSchemaPtr schema;
  TableSchemaPtr key;
  bool whole_values = false;  // the chunk key is not unique
};
Result<KeyedTable> keyed_table(const SnapshotReaderOptions& options, TableSchemaPtr table);

// Where a run goes on with a table whose read a checkpoint cut (`after_key`, `delivered_key`
// as in SnapshotPosition/SnapshotSplit): it reads the rows after `read_after`, first those up
// to `reread_through` as one piece when that is set (a whole-value chunk cut), and its segment
// starts after `segment_from`. Rows the earlier run delivered and this one reads again are
// delivered again, and the stream delivers their changes since that earlier read: at least once
// for them, none lost. A table without a key is read again from its start, its segment after
// every row (an empty key orders equal to each). Logs a warning for either.
struct ResumePoint {
  std::string read_after;
  std::string segment_from;
  std::string reread_through;
};
Result<ResumePoint> resume_point(const SnapshotReaderOptions& options, const KeyedTable& table,
                                 const std::string& after_key, const std::string& delivered_key);
// The warning of a table whose interrupted read has no key to resume by: read again whole.
void warn_read_again(const SnapshotReaderOptions& options, const TableId& table);

// What every `r` event of one batch shares (copied into the batch's arena once): the
// connector, the pipeline, the position the rows were read at, the time, the snapshot marker.
struct ReadEventSource {
  std::string_view connector;
  std::string_view name;
  EventPosition at;  // the consistent read's binlog position or slot consistent point
  int64_t ts_ms = 0;
  SnapshotMarker marker = SnapshotMarker::yes;
};
ReadEventSource read_event_source(Batch& batch, const SnapshotReaderOptions& options,
                                  const StreamPoint& at, SnapshotMarker marker);
// Appends the `r` event of `row` (a row of `schema`, in batch.arena).
void append_read_event(Batch& batch, const TableSchemaPtr& schema, std::span<const Value> row,
                       const ReadEventSource& source);

class SnapshotReader final : public SnapshotRun {
 public:
  // `start`: a position with `reading` (a new one, or a checkpoint's): the tables before
  // start.db/start.table are done, and that one is done up to start.after_key. `reader` must
  // outlive this object.
  SnapshotReader(ChunkReader& reader, SnapshotPosition start, SnapshotReaderOptions options);

  // Opens this run's consistent read and returns its stream position (the source seeds its
  // schema history there before it names the tables).
  Result<StreamPoint> begin() override;
  // The tables to read (any order; those before the start are dropped): after begin(), before
  // fill(). Starts this run's segment.
  Status set_tables(std::vector<TableSchemaPtr> tables) override;

  // Appends up to `max_events` read events to `batch` and sets batch.end to the position after
  // them. Returns false when every table is read: batch.end then has `reading` false and the
  // stream position to continue at (the earliest segment's).
  Result<bool> fill(Batch& batch, size_t max_events) override;

  const SnapshotPosition& position() const override { return pos_; }
  uint64_t rows_read() const override { return rows_; }
  uint64_t chunks_read() const override { return chunks_; }
  // Tables of this run's plan (those left at set_tables) and how many of them are finished.
  uint64_t tables_planned() const override { return tables_.size(); }
  uint64_t tables_done() const override { return std::min<uint64_t>(table_idx_, tables_.size()); }
  const std::vector<TableSnapshotProgress>& table_progress() const override {
    return progress_.tables();
  }

 private:
  Status finish();
  void advance_table();
  const TableSchemaPtr& table() const { return tables_[table_idx_].key; }

  ChunkReader& reader_;
  std::vector<KeyedTable> tables_;  // sorted by id; those before the start dropped
  size_t table_idx_ = 0;
  SnapshotPosition pos_;
  SnapshotReaderOptions options_;
  bool planned_ = false;
  bool chunk_open_ = false;
  uint64_t chunk_rows_ = 0;
  // A whole-value chunk still open at a batch's end keeps the key of its last row delivered in
  // pos_.delivered_key, which after_key takes at the chunk's end (maybe in a later batch, with
  // no row of it). After a restart inside such a chunk: the rows up to this key (the position's
  // delivered_key) are read again as one piece before whole-value chunks go on; empty otherwise.
  std::string reread_through_bytes_;
  std::vector<Value> reread_through_;  // views into reread_through_bytes_
  // The key the next chunk starts after: decoded from pos_.after_key, views into after_bytes_.
  std::string after_bytes_;
  std::vector<Value> after_;
  StreamPoint read_at_;  // this run's consistent read
  uint64_t rows_ = 0;
  uint64_t chunks_ = 0;
  TableProgressBook progress_;  // index = index in tables_
};

}  // namespace cdc::snapshot
