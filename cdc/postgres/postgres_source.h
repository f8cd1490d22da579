// PostgresSource: the PostgreSQL logical replication source. Reads a pgoutput slot over a
// replication=database libpq connection, turns the messages into change events with PgStream,
// and reports to the server as flushed only the LSN of the last committed checkpoint
// (acknowledge), never beyond: PostgreSQL accepts a future LSN and would drop WAL that was never
// delivered. open/poll/close run on the reader (open/close: pipeline) thread, acknowledge on
// the pipeline thread; a status thread answers the server while the reader waits on a slow sink.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "cdc/core/source.h"
#include "cdc/postgres/postgres_source_options.h"
#include "cdc/postgres/schema/pg_schema_store.h"

namespace cdc::postgres {

struct PostgresMetrics;

class PostgresSource final : public cdc::Source {
 public:
  // `metrics` (may be null) receives the slot's lag. `schemas` (may be null: the catalog's
  // columns seed every start) keeps the captured tables' versions by stream position.
  explicit PostgresSource(PostgresSourceOptions options,
                          std::shared_ptr<PostgresMetrics> metrics = nullptr,
                          std::unique_ptr<PgSchemaStore> schemas = nullptr);
  ~PostgresSource() override;

  // Checks the server (preflight: every problem at once, each with its fix), makes the
  // publication and the slot when missing, and starts streaming at `resume` (a
  // PostgresPosition) or where the startup mode says (monostate). Errors: invalid_config (bad
  // options or server settings), auth, unavailable (server down, slot held by another client:
  // retried by the runner), io.
  Status open(const Position& resume) override;
  // `sluice validate --connect`: the preflight alone (no publication, slot or stream).
  std::vector<Error> preflight();
  Position current_position() const override;
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) override;
  void acknowledge(const Position& committed) override;
  // Queues a re-snapshot of `tables` (any thread), read while streaming in windows
  // (pg_resnapshot.h). Refused for tables the pipeline does not capture, and in snapshot mode.
  Status request_snapshot(const std::vector<TableId>& tables) override;
  uint64_t bytes_read() const override;
  SnapshotProgress snapshot_progress() const override;
  std::vector<TableSnapshotProgress> snapshot_tables() const override;
  std::vector<TableSchemaPtr> known_schemas() const override;
  void close() override;

  // Last LSN reported to the server as flushed (tests).
  Lsn reported_flush() const;
  // pg_current_wal_lsn() - the slot's confirmed_flush_lsn at the last measurement (-1: none;
  // measured every 5 s by poll).
  int64_t slot_lag_bytes() const;
  // Re-snapshot rows skipped because the stream delivered a newer state of their key first,
  // windows opened again, chunks cut before a key with an unchanged TOAST value (tests).
  uint64_t resnapshot_rows_skipped() const;
  uint64_t resnapshot_windows_reopened() const;
  uint64_t resnapshot_chunks_cut() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::postgres
