// ParallelSnapshotReader: the initial snapshot read by N connections at once
// (`scan.snapshot.parallelism`). MariaDB cannot share one read view between connections, so
// each part of a table (a split: a key range) is read in a consistent read of its own, at its
// own stream position, and becomes a segment of the stream merge (StreamFilter) like the part
// read after a restart (ARCHITECTURE.md "Snapshots"). Tables whose key is one integer column are
// split evenly between their least and greatest key, tables without a key at the places in
// storage the source names (PostgreSQL: ctid blocks, in one shared snapshot); the others are
// one split each. The plan is
// made once, when the snapshot begins, and kept in the checkpoint (SnapshotPosition::splits)
// with each split's last key delivered, so a restart resumes every split after its last row.
//
// Threads: one worker per ChunkReader reads splits (in plan order, whichever is free) into
// batches and hands them over a bounded queue; fill() (the source's thread) takes them one at a
// time and advances the position. The destructor stops and joins the workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdc/snapshot/chunk_reader.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "cdc/snapshot/snapshot_run.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::snapshot {

class ParallelSnapshotReader final : public SnapshotRun {
 public:
  // `readers` (at least one, each on a connection of its own) must outlive this object; the
  // workers' batches hold at most `batch_events` rows, and fill() passes them on whole.
  ParallelSnapshotReader(std::vector<ChunkReader*> readers, SnapshotPosition start,
                         SnapshotReaderOptions options, size_t batch_events);
  ~ParallelSnapshotReader() override;
  ParallelSnapshotReader(const ParallelSnapshotReader&) = delete;
  ParallelSnapshotReader& operator=(const ParallelSnapshotReader&) = delete;

  Result<StreamPoint> begin() override;
  // Plans the splits of a new snapshot (the key ranges are asked of the first reader), or takes
  // those of the checkpoint; then starts the workers.
  Status set_tables(std::vector<TableSchemaPtr> tables) override;
  Result<bool> fill(Batch& batch, size_t max_events) override;

  const SnapshotPosition& position() const override { return pos_; }
  uint64_t rows_read() const override { return rows_; }
  uint64_t chunks_read() const override { return chunks_.load(std::memory_order_relaxed); }
  uint64_t tables_planned() const override { return tables_planned_; }
  uint64_t tables_done() const override { return tables_done_; }
  const std::vector<TableSnapshotProgress>& table_progress() const override {
    return progress_.tables();
  }

 private:
  struct Split {
    SnapshotSplit where;  // as in the position; after_key advances as batches are delivered
    KeyedTable table;     // table.key orders the split's keys
    bool done = false;
    size_t progress_idx = 0;  // of its table in progress_
  };
  // What a worker hands over, in its order: a split's consistent read opened, its rows, its end.
  struct Message {
    size_t split = 0;
    std::optional<StreamPoint> opened;
    std::unique_ptr<Batch> batch;
    std::string last_key;                      // of the batch's last row ("" = the batch has none)
    std::optional<std::string> delivered_key;  // the split's new delivered_key, if it changes
    bool done = false;
    std::optional<Error> error;
  };

  Status plan(std::vector<TableSchemaPtr> tables);
  Status plan_table(KeyedTable kt, bool read_again);
  Status resume(std::vector<TableSchemaPtr> tables);
  Status prepare_resume(SnapshotSplit& s, const KeyedTable& kt);
  bool keyless_rows_delivered(const TableId& table) const;
  void work(size_t reader_idx);
  Status read_split(ChunkReader& reader, size_t split_idx);
  bool push(Message m);
  void apply(Message& m);
  Status finish();
  void stop_workers();

  std::vector<ChunkReader*> readers_;
  SnapshotPosition pos_;
  SnapshotReaderOptions options_;
  size_t batch_events_;
  std::vector<Split> splits_;  // in (table, key) order; immutable but for after_key and done
  size_t open_splits_ = 0;
  StreamPoint begun_at_;
  bool planned_ = false;
  uint64_t rows_ = 0;
  std::atomic<uint64_t> chunks_{0};
  uint64_t tables_planned_ = 0;
  uint64_t tables_done_ = 0;
  TableProgressBook progress_;  // fill()'s thread only

  std::mutex mutex_;
  std::condition_variable ready_;  // a message is queued
  std::condition_variable space_;  // the queue has room, or stop
  std::deque<Message> queue_;
  size_t next_split_ = 0;  // the next split a worker takes
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Inserts `seg` into `segments` (kept in (table, key) order, which StreamFilter walks), or
// replaces a segment starting at the same key (it read nothing the sink has). Keys sluice
// cannot order (text) belong to a table read by one connection, whose segments follow in key
// order: they go after the table's last one.
void insert_segment(std::vector<SnapshotSegment>& segments, SnapshotSegment seg,
                    const TableSchema& schema);

}  // namespace cdc::snapshot
