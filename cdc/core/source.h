// Source: where change events come from (MySQL binlog, Postgres WAL, datagen). Owned by the
// pipeline runner. poll() runs on the reader thread; open(), close() and known_schemas() on
// the pipeline thread before the reader starts or after it is joined; acknowledge() on the
// pipeline thread while the reader runs (implementations make it thread-safe).
// ARCHITECTURE.md has the threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc {

// How far a snapshot of existing rows is (ARCHITECTURE.md, "Snapshots"), for the
// sluice_snapshot_* metrics. Counts are of this source instance (since its open()).
struct SnapshotProgress {
  bool reading = false;       // a snapshot is being read
  uint64_t rows = 0;          // rows read
  uint64_t chunks = 0;        // chunks finished
  uint64_t tables_done = 0;   // tables of this run's plan finished
  uint64_t tables_total = 0;  // tables of this run's plan (those left when it started)

  // Adds another run's counts (a re-snapshot's to the snapshot's): reading if either is.
  SnapshotProgress& operator+=(const SnapshotProgress& o) {
    reading = reading || o.reading;
    rows += o.rows;
    chunks += o.chunks;
    tables_done += o.tables_done;
    tables_total += o.tables_total;
    return *this;
  }
};

// One table of a snapshot or re-snapshot, for the status API's per-table progress bars.
struct TableSnapshotProgress {
  enum class State : uint8_t { waiting, reading, done };
  TableId table;
  State state = State::waiting;
  uint64_t rows_read = 0;  // by this source instance (a resumed table counts from its restart)
  // The server's row estimate (information_schema.TABLES.TABLE_ROWS, pg_class.reltuples) when
  // the table was planned: statistics, not a count. nullopt: the server has none.
  std::optional<uint64_t> rows_estimated;
};
inline const char* state_name(TableSnapshotProgress::State s) {
  switch (s) {
    case TableSnapshotProgress::State::waiting: return "waiting";
    case TableSnapshotProgress::State::reading: return "reading";
    case TableSnapshotProgress::State::done: return "done";
  }
  return "?";
}

class Source {
 public:
  virtual ~Source() = default;
  // Connects and positions the source at `resume` (monostate: where the startup mode says).
  virtual Status open(const Position& resume) = 0;
  // The position the source will read from next: after open(), the start position it
  // resolved (latest-offset, earliest-offset, ...). The runner records it as the first
  // checkpoint of a new pipeline, so a crash before the first real checkpoint cannot move
  // the start (e.g. to a later "latest" offset) and lose the changes in between.
  virtual Position current_position() const = 0;
  // Waits up to `max_wait` for data. Returns a batch, or nullptr when nothing arrived in time.
  // A batch may hold no events and only advance the position (heartbeats, skipped tables).
  virtual Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) = 0;
  // Everything up to `committed` is in the sink durably (Postgres advances its slot here).
  virtual void acknowledge(const Position& committed) { (void)committed; }
  // Bytes received from the server so far by this instance (the replication stream's events),
  // for sluice_source_bytes_read_total. Reader thread only. Default: 0 (nothing on a wire).
  virtual uint64_t bytes_read() const { return 0; }
  // After open(): the server the source reads from, as the control API's status shows it
  // ("host:port"); it changes when a failover moves to another one. Default: "" (none named).
  virtual std::string server() const { return {}; }
  // The snapshot's progress. Reader thread only. Default: no snapshot.
  virtual SnapshotProgress snapshot_progress() const { return {}; }
  // The snapshot's tables, in the order they are read; a table read again (a re-snapshot)
  // shows its latest read. Reader thread only; a copy, so callers ask now and then, not per
  // batch. Default: no snapshot.
  virtual std::vector<TableSnapshotProgress> snapshot_tables() const { return {}; }
  // After open(): the schemas of the captured tables as far as the source knows them before
  // reading (MySQL: the schema history, seeded from information_schema), so that the stages
  // can check their expressions against them at start rather than at the first event. Empty
  // when the source learns its tables only from the stream.
  virtual std::vector<TableSchemaPtr> known_schemas() const { return {}; }
  // Asks for the rows of `tables` to be read again while the stream goes on (a re-snapshot:
  // ARCHITECTURE.md, "Snapshots"). Returns once the request is queued, not when it is done;
  // the reader thread merges the re-read rows with the stream so each key's changes stay in
  // order. Any thread (implementations make it thread-safe). Errors: a table that is not
  // captured or has no key to chunk on (invalid_config), a source that cannot (unsupported).
  virtual Status request_snapshot(const std::vector<TableId>& tables) {
    (void)tables;
    return make_error(Errc::unsupported, "re-snapshot is not supported by this source");
  }
  virtual void close() {}
};

}  // namespace cdc
