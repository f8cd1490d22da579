// PgChunkReader: the snapshot engine's ChunkReader in PostgreSQL's dialect, on a connection of
// its own. Its consistent read is a REPEATABLE READ READ ONLY transaction that imports a
// snapshot exported by a logical slot's creation (`SET TRANSACTION SNAPSHOT`, import_snapshot):
// it sees exactly the transactions committed before the slot's consistent point, which is the
// read's StreamPoint. N readers (`scan.snapshot.parallelism`) import the same export, so every
// begin_consistent_read of a run returns that one snapshot, and the transaction stays open
// until the reader is destroyed (an export cannot be imported again once released).
// Chunks are keyset queries (`WHERE (k1, k2) > ($1::t1, $2::t2) ORDER BY k1, k2 LIMIT n`); a
// table without a key is read in ctid block ranges (pg_ctid_ranges.h), each a TID Range Scan,
// the last unbounded above. Rows come through a cursor (`FETCH 1000`), so no chunk or range
// sits in memory whole. Values are read in text form and converted by the types module exactly
// as pgoutput's. Owned and used by one thread (the source's, or one snapshot worker).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc/postgres/postgres_source_options.h"
#include "cdc/postgres/protocol/pg_connection.h"
#include "cdc/postgres/snapshot/pg_ctid_ranges.h"
#include "cdc/postgres/snapshot/pg_visibility.h"
#include "cdc/postgres/types/pg_types.h"
#include "cdc/snapshot/chunk_reader.h"

namespace cdc::postgres {

// A snapshot exported by CREATE_REPLICATION_SLOT, valid while the connection that created the
// slot runs no other command.
struct ExportedSnapshot {
  std::string name;         // snapshot_name: "00000003-00000002-1"
  Lsn consistent_point{0};  // the slot's consistent_point
};

// The type oid and modifier of each column of a table, as pgoutput's Relation would carry them.
struct PgColumnTypes {
  std::vector<uint32_t> type_oids;
  std::vector<int32_t> typmods;
};

// A snapshot exported on a TEMPORARY slot of a replication connection of its own, for a read
// that cannot use the snapshot of the pipeline's slot's creation (a restart inside the snapshot,
// snapshot mode). The export lives while `repl` is open and idle. `drop()` removes the slot once
// every reader imported the snapshot; closing the connection also does, but the server's backend
// drops it only as it exits, after the close returned. The server also drops it when this
// process dies.
struct TemporaryExport {
  PgConnection repl;
  ExportedSnapshot snapshot;
  std::string slot_name;

  // DROP_REPLICATION_SLOT on the slot's own connection: gone when this returns.
  Status drop();
};
Result<TemporaryExport> export_on_temporary_slot(const PostgresSourceOptions& o);

class PgChunkReader final : public snapshot::ChunkReader {
 public:
  using TypesOf = std::function<const PgColumnTypes*(const TableId&)>;
  PgChunkReader(PostgresSourceOptions options, const PgTypeRegistry& registry, TypesOf types_of);

  // Connects and opens the consistent read of `exported`, whose exporting session must still be
  // open and idle. Once.
  Status import_snapshot(const ExportedSnapshot& exported);
  // For re-snapshot windows instead (no import): connects, and from then on each
  // begin_consistent_read opens a REPEATABLE READ READ ONLY transaction of its own, taking a new
  // snapshot (window_snapshot()), and end_consistent_read ends it.
  Status connect_for_windows();
  // The imported snapshot's point, the transaction staying open (see the header comment); for
  // windows, pg_current_wal_lsn() when the new snapshot was taken (not exact: a commit record
  // is written before its transaction becomes visible; the window's visibility rules are
  // window_snapshot()'s).
  Result<StreamPoint> begin_consistent_read() override;
  // The snapshot of the window opened last (connect_for_windows).
  const PgSnapshot& window_snapshot() const { return window_snapshot_; }
  Status start_chunk(const TableSchema& table, std::span<const Value> after,
                     uint64_t limit) override;
  // A keyed table: also `key <= through` (one key column). One without a key: the blocks
  // [after, through) (storage_split_points), in ctid ranges.
  Status start_chunk_through(const TableSchema& table, std::span<const Value> after,
                             std::span<const Value> through, uint64_t limit) override;
  Result<std::optional<std::span<const Value>>> next_row(Arena& arena) override;
  // Closes the open chunk; the transaction stays open for the next part of the run.
  Status end_consistent_read() override;
  // pg_class.reltuples: the estimate of the last VACUUM/ANALYZE (none before the first).
  Result<std::optional<uint64_t>> estimate_rows(const TableSchema& table) override;
  Result<std::optional<KeyBounds>> key_bounds(const TableSchema& table, Arena& arena) override;
  // ctid blocks from pg_relation_size and reltuples/relpages (pg_ctid_ranges.h).
  Result<std::vector<uint64_t>> storage_split_points(const TableSchema& table,
                                                     size_t parts) override;

  // The SELECT of one chunk and its parameters (unit-tested); `through` bounds a one-column key.
  static Result<std::string> chunk_query(const TableSchema& table, std::span<const Value> after,
                                         uint64_t limit, std::vector<std::string>& params,
                                         std::span<const Value> through = {});
  // The SELECT of one ctid range of a table without a key (unit-tested).
  static std::string ctid_query(const TableSchema& table, const CtidRange& range);

 private:
  Status check_chunk_start(const TableSchema& table);
  Status close_cursor();
  Status open_cursor(const std::string& select, const std::vector<std::string>& params);
  Status start_ranges(const TableSchema& table, uint64_t first, std::optional<uint64_t> end);
  Result<CtidStats> ctid_stats(const TableSchema& table);

  PostgresSourceOptions o_;
  const PgTypeRegistry& registry_;
  TypesOf types_of_;
  std::optional<PgConnection> sql_;
  std::optional<StreamPoint> imported_;  // the open transaction's snapshot point
  bool windows_ = false;                 // connect_for_windows: a transaction per read
  bool in_transaction_ = false;          // of a window
  PgSnapshot window_snapshot_;
  const TableSchema* table_ = nullptr;  // of the open chunk; the caller keeps it alive
  bool cursor_open_ = false;
  const PgColumnTypes* types_ = nullptr;
  std::vector<CtidRange> ranges_;  // of the open chunk of a table without a key
  size_t next_range_ = 0;          // the next of them to open
  QueryResult fetched_;            // the rows of the last FETCH
  size_t next_ = 0;                // the next of them to return
};

}  // namespace cdc::postgres
