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
#include "cdc/snapshot/resnapshot_queue.h"
#include "cdc/snapshot/touched_keys.h"

namespace cdc::postgres {

struct PgResnapshotHooks {
  snapshot::ResnapshotHooks queue;  // its connect_reader makes a PgChunkReader for windows
  // Writes the watermark message (kWatermarkPrefix, `content`) on another connection.
  std::function<Status(const std::string& content)> emit_watermark;
};

class PgResnapshot {
 public:
  // `max_reopens`: windows opened again in a row before the re-snapshot gives up.
  PgResnapshot(std::string pipeline_name, uint32_t chunk_size, uint64_t max_reopens,
               PgResnapshotHooks hooks);

  // Requests, resuming and checkpoints: the queue's (resnapshot_queue.h).
  snapshot::ResnapshotQueue& queue() { return queue_; }
  const snapshot::ResnapshotQueue& queue() const { return queue_; }

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
  uint64_t windows_reopened() const { return reopened_; }

 private:
  void open_window(snapshot::Resnapshot& resnap);
  void close_window();
  void reset_window();
  PgChunkReader& reader() { return static_cast<PgChunkReader&>(*queue_.reader()); }
  snapshot::RowVerdict verdict(const TableSchema& table, std::span<const Value> row) const;

  snapshot::ResnapshotQueue queue_;
  std::function<Status(const std::string&)> emit_watermark_;
  // The open window.
  WatermarkId watermark_;
  bool window_open_ = false;  // its snapshot taken, its watermark written
  bool at_watermark_ = false;
  bool spoiled_ = false;  // a change S does not see that no key names (no key, TRUNCATE)
  PgSnapshot snapshot_;   // S
  snapshot::TouchedKeys touched_;
  RecentXids recent_;
  uint64_t reopened_ = 0;
  uint64_t attempts_ = 0;  // consecutive windows opened again
  uint64_t max_reopens_;
};

}  // namespace cdc::postgres
