// PgResnapshot: re-snapshots while streaming for the PostgreSQL source (request_snapshot, the
// signal table; ARCHITECTURE.md "Snapshots", re-snapshots while streaming). Drives the engine's
// Resnapshot with PostgreSQL windows: at a transaction boundary of the stream it opens a
// REPEATABLE READ transaction on a connection of its own (the snapshot S, pg_current_snapshot),
// then writes the high watermark H, a logical decoding message of its own
// (pg_watermark.h), without touching a user table. The stream goes on to H; each transaction it
// delivers meanwhile is classified by its xid against S (pg_visibility.h): the keys of the table
// being read that a transaction S does not see changed are remembered (TouchedKeys). At H the
// chunk is read from S and its rows go out, those keys skipped (or the chunk cut before a key
// whose change left a TOAST value unchanged). A window whose S misses a transaction the stream
// delivered before it opened (RecentXids) is opened again later. Requests are queued by any
// thread; everything else is the reader thread's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/source.h"
#include "cdc/postgres/snapshot/pg_chunk_reader.h"
#include "cdc/postgres/snapshot/pg_visibility.h"
#include "cdc/postgres/snapshot/pg_watermark.h"
#include "cdc/snapshot/resnapshot.h"
#include "cdc/snapshot/touched_keys.h"

namespace cdc::postgres {

struct PgResnapshotHooks {
  // Whether the pipeline captures `table` (requests for others are refused). Any thread.
  std::function<bool(const TableId&)> captured;
  // The table's current schema; null when the source does not know it.
  std::function<TableSchemaPtr(const TableId&)> schema_of;
  // A chunk reader connected for windows (PgChunkReader::connect_for_windows).
  std::function<Result<std::unique_ptr<PgChunkReader>>()> connect_reader;
  // Writes the watermark message (kWatermarkPrefix, `content`) on another connection.
  std::function<Status(const std::string& content)> emit_watermark;
};

class PgResnapshot {
 public:
  PgResnapshot(std::string pipeline_name, uint32_t chunk_size, PgResnapshotHooks hooks);

  // Checks that `tables` are captured and queues them. Any thread.
  Status queue(const std::vector<TableId>& tables, std::string_view asked_by);
  // A re-snapshot a restart cut short (the checkpoint's resnapshot_tables/after_key).
  void resume(std::vector<SnapshotTable> tables, std::string after_key);
  // The tables to record in a checkpoint (the one being read first) and the key of its last row
  // delivered; empty when none runs or waits.
  void pending(std::vector<SnapshotTable>& tables, std::string& after_key) const;

  // Before the stream is read, with the stream between two transactions: takes requests, opens
  // the next window, or, with the stream at the window's watermark, appends the chunk's rows
  // (up to `max_events`) and returns true: the batch is ready. Errors end the re-snapshot with
  // a log; the stream goes on.
  bool step(Batch& batch, size_t max_events);
  // Every row event the stream delivers, in order.
  void observe(const ChangeEvent& e);
  // Every logical decoding message the stream receives.
  void on_message(std::string_view prefix, std::string_view content);
  // The stream reached the open window's watermark: it stops there until the chunk is out.
  bool at_watermark() const { return at_watermark_; }

  SnapshotProgress progress() const;
  std::vector<TableSnapshotProgress> table_progress() const;
  // Rows of the windows' chunks skipped because the stream delivered a newer state first.
  uint64_t rows_skipped() const { return skipped_past_ + (resnap_ ? resnap_->rows_skipped() : 0); }
  uint64_t windows_reopened() const { return reopened_; }
  // Chunks ended before a key whose newer change left a TOAST value unchanged.
  uint64_t chunks_cut() const { return cut_past_ + (resnap_ ? resnap_->chunks_cut() : 0); }

 private:
  void take(const std::vector<TableId>& tables, std::string_view first_after);
  bool open_window();
  void close_window();
  void abandon(const Error& e);
  void end();
  snapshot::RowVerdict verdict(const TableSchema& table, std::span<const Value> row) const;

  std::string pipeline_;
  uint32_t chunk_size_;
  PgResnapshotHooks hooks_;
  mutable std::mutex requested_mutex_;
  std::vector<TableId> requested_;  // guarded by requested_mutex_
  std::vector<SnapshotTable> resume_;
  std::string resume_after_;
  std::unique_ptr<PgChunkReader> reader_;
  std::optional<snapshot::Resnapshot> resnap_;
  SnapshotProgress past_;  // of the re-snapshots ended since this object was made
  std::vector<TableSnapshotProgress> past_tables_;
  uint64_t skipped_past_ = 0;
  uint64_t cut_past_ = 0;
  // The open window.
  WatermarkId watermark_;
  bool window_open_ = false;  // its snapshot taken, its watermark written
  bool at_watermark_ = false;
  bool spoiled_ = false;  // a change S does not see that no key names (no key, TRUNCATE)
  snapshot::TouchedKeys touched_;
  RecentXids recent_;
  uint64_t reopened_ = 0;
  uint64_t attempts_ = 0;  // consecutive windows opened again
};

}  // namespace cdc::postgres
