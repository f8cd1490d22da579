// ResnapshotQueue: what a source keeps around its Resnapshot (resnapshot.h): the requests
// (Source::request_snapshot, signal-table rows; any thread), a re-snapshot to go on with from a
// checkpoint, the chunk reader's connection made when a re-snapshot starts, and the progress of
// the re-snapshots ended. The windows are the source's own (a binlog position on MariaDB, a
// snapshot and a watermark on PostgreSQL). Everything but queue() is the reader thread's.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/source.h"
#include "cdc/core/table_schema.h"
#include "cdc/snapshot/chunk_reader.h"
#include "cdc/snapshot/resnapshot.h"

namespace cdc::snapshot {

struct ResnapshotHooks {
  // Whether the pipeline captures `table`: requests for others are refused. Any thread.
  std::function<bool(const TableId&)> captured;
  // The table's current schema; null when the source does not know it (skipped, logged).
  std::function<TableSchemaPtr(const TableId&)> schema_of;
  // A chunk reader on a connection of its own, for the windows.
  std::function<Result<std::unique_ptr<ChunkReader>>()> connect_reader;
};

class ResnapshotQueue {
 public:
  ResnapshotQueue(SnapshotReaderOptions options, ResnapshotHooks hooks);

  // Checks that `tables` are captured and queues them. Any thread.
  Status queue(const std::vector<TableId>& tables, std::string_view asked_by);
  // A re-snapshot to go on with before the queued requests: the tables (the first being read)
  // and the key of its last row delivered ("" = from the start). Logged.
  void resume(std::vector<SnapshotTable> tables, std::string after_key);
  void resume_also(const SnapshotTable& table);
  bool resuming(const SnapshotTable& table) const;
  // Takes `table` out of the tables to resume; whether it was there.
  bool unresume(const SnapshotTable& table);
  // What a checkpoint records: the tables left (the one being read first, then those to resume
  // and those queued) and the key of the first one's last row delivered. Empty when none.
  void pending(std::vector<SnapshotTable>& tables, std::string& after_key) const;

  // Takes what is to resume and what was queued into the Resnapshot (made, with its reader, when
  // none runs). Null when nothing is to be read.
  Resnapshot* take();
  Resnapshot* current() { return resnap_ ? &*resnap_ : nullptr; }
  const Resnapshot* current() const { return resnap_ ? &*resnap_ : nullptr; }
  ChunkReader* reader() { return reader_.get(); }
  bool running() const { return resnap_ && !resnap_->idle(); }
  // Ends the re-snapshot with an error log; the stream goes on.
  void abandon(const Error& e);
  // Ends the re-snapshot (every table read, or abandoned): its counts go to the past ones.
  void end();
  // Forgets everything (a new open of the source).
  void clear();

  // The re-snapshots ended since clear() and the one running.
  SnapshotProgress progress() const;
  std::vector<TableSnapshotProgress> table_progress() const;
  uint64_t rows_skipped() const;
  uint64_t chunks_cut() const;

 private:
  SnapshotProgress running_progress() const;  // the counts of the one running (reading unset)

  SnapshotReaderOptions options_;
  ResnapshotHooks hooks_;
  mutable std::mutex requested_mutex_;
  std::vector<TableId> requested_;  // guarded by requested_mutex_
  std::vector<SnapshotTable> resume_;
  std::string resume_after_;
  std::unique_ptr<ChunkReader> reader_;
  std::optional<Resnapshot> resnap_;
  SnapshotProgress past_;
  std::vector<TableSnapshotProgress> past_tables_;
  uint64_t skipped_past_ = 0;
  uint64_t cut_past_ = 0;
};

// The resume position of a batch ending at stream point `stream`: the point itself, or a
// SnapshotPosition (reading == false) while `segments` are merged or `tables` are re-read.
Position stream_resume_position(const StreamPoint& stream, std::vector<SnapshotSegment> segments,
                                std::vector<SnapshotTable> tables, std::string after_key);

}  // namespace cdc::snapshot
