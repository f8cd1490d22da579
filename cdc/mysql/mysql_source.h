// MysqlSource: the MySQL/MariaDB binlog source. Impersonates a replica (COM_BINLOG_DUMP on a
// libmariadb connection), turns the events into change events with BinlogStream, and returns
// Batches of row changes whose end Position resumes exactly (Debezium semantics: the start of
// the current transaction + row events and rows of it already delivered). open/poll/close run
// on the reader thread only; acknowledge is a no-op (MySQL keeps no replica state).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/source.h"
#include "cdc/mysql/mysql_source_options.h"
#include "cdc/mysql/schema/schema_history.h"

namespace cdc::mysql {

class BinlogFileReader;
struct MysqlMetrics;
struct TableMapEvent;

// Which server of a `hostname` list the source read from last (an index into the list), kept
// across the source instances the runner makes for its attempts (the daemon holds one per
// pipeline), so that a re-open tries that server first and stays on it while it answers. Used
// by open() only, which runs on one thread at a time.
struct ServerSelection {
  std::optional<size_t> connected;
};

class MysqlSource final : public cdc::Source {
 public:
  // `history_store` (may be null: the schema history lives in memory only) persists the schema
  // history (ARCHITECTURE.md, "Checkpoints and resume") across restarts: the daemon passes the
  // state store's.
  // `selection` (may be null: each open starts at the list's first server) and `metrics` (may
  // be null) are shared by the pipeline's source instances (ServerSelection).
  explicit MysqlSource(MysqlSourceOptions options,
                       std::unique_ptr<SchemaHistoryStore> history_store = nullptr,
                       std::shared_ptr<ServerSelection> selection = nullptr,
                       std::shared_ptr<MysqlMetrics> metrics = nullptr);
  // Offline (`sluice binlog`): decodes the events of binlog files on disk instead of a
  // server's stream, through the same code. `complete` fills in TABLE_MAPs written without
  // binlog_row_metadata=FULL and names JSON text columns (TableMapCache::Completer,
  // schema/ddl_schema.h). The connection options and server_id are unused; open() takes no
  // resume position; poll() returns nullptr once the files are read.
  MysqlSource(MysqlSourceOptions options, std::unique_ptr<BinlogFileReader> files,
              std::function<Result<std::vector<std::string>>(TableMapEvent&)> complete);
  ~MysqlSource() override;

  // Checks the server (binlog_format=ROW, binlog_row_image=FULL; binlog_row_metadata FULL, or
  // MINIMAL/NO_LOG with a warning: the schema history names the columns) and starts the dump at
  // `resume` (a MysqlPosition) or where the startup mode says (monostate).
  // The schema history is loaded (first open), rewound to the start, and the captured tables
  // it does not know yet are read from information_schema.
  // With a `hostname` list, the servers are tried in turn from the one the last open read from
  // (ServerSelection): the first that answers and qualifies (its settings, and for a checkpoint
  // the transactions after it, README "Failover to another server") is read from; moving to
  // another one is logged as a warning naming both and the GTID set resumed after.
  // Errors: invalid_config (bad options or server settings, with the setting to change),
  // auth, io (retry). With a list: unavailable (retry) when no server qualified and one did
  // not answer, else the first server's error code; the message names every server's problem.
  Status open(const Position& resume) override;
  // `sluice validate --connect`: what open() checks at the start, against the server, without
  // starting the dump (a running replica with the same server-id would be disconnected) or
  // writing the schema-history store: the options, the login, the server's settings, the
  // REPLICATION SLAVE privilege, the start position (the statements that find it), the
  // captured tables read from the catalog and a `tables` pattern that matches none. Every
  // problem found, not only the first; after it known_schemas() has the captured tables.
  std::vector<Error> preflight();
  // After open(): the resolved start; later: the end of the last returned batch.
  Position current_position() const override;
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) override;
  void close() override;
  uint64_t bytes_read() const override;
  // "host:port" of the server open() connected to (a unix socket's path); "" before.
  std::string server() const override;
  SnapshotProgress snapshot_progress() const override;
  std::vector<TableSnapshotProgress> snapshot_tables() const override;
  // Queues a re-snapshot of `tables` (ARCHITECTURE.md, "Snapshots"): the reader thread reads
  // them chunk by chunk while streaming, each chunk emitted exactly at its watermark. Any
  // thread. Errors: a table the `tables` patterns do not capture (invalid_config); offline
  // decoding (unsupported). A table that is captured but unknown to the server, or an error
  // while reading, is logged and ends that table's re-snapshot; the stream goes on. A
  // re-snapshot is not in the checkpoint: one cut short by a restart must be asked again.
  Status request_snapshot(const std::vector<TableId>& tables) override;
  // Stores the captured-tables record of this open once a checkpoint of it commits
  // (scan.newly-added-table.enabled, ARCHITECTURE.md "Snapshots"). Pipeline thread.
  void acknowledge(const Position& committed) override;
  // The current version of every table the schema history holds (live source only).
  std::vector<TableSchemaPtr> known_schemas() const override;

  // Where the next poll continues from (the end of the last returned batch, or the start).
  MysqlPosition position() const;
  // The schema history of the captured tables (live source only: offline decoding keeps none).
  const SchemaHistory& schema_history() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::mysql
