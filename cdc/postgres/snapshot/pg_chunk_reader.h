// PgChunkReader: the snapshot engine's ChunkReader in PostgreSQL's dialect, on a connection of
// its own. A consistent read is a REPEATABLE READ READ ONLY transaction that imports a snapshot
// exported by a logical slot's creation (`SET TRANSACTION SNAPSHOT`): it sees exactly the
// transactions committed before the slot's consistent point, which is the read's StreamPoint.
// The first read may use the snapshot the source's own slot exported when it was created; any
// later one (a restart inside the snapshot, whose exported snapshot died with the old process)
// creates a TEMPORARY slot on a replication connection of its own just for its consistent
// point, and drops it (by closing that connection) as soon as the snapshot is imported.
// Chunks are keyset queries (`WHERE (k1, k2) > ($1::t1, $2::t2) ORDER BY k1, k2 LIMIT n`) read
// through a cursor, so a table without a key (one pass) never sits in memory whole. Values are
// read in text form and converted by the types module exactly as pgoutput's. Owned and used by
// the source's thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc/postgres/postgres_source_options.h"
#include "cdc/postgres/protocol/pg_connection.h"
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

class PgChunkReader final : public snapshot::ChunkReader {
 public:
  using TypesOf = std::function<const PgColumnTypes*(const TableId&)>;
  // `exported`: a snapshot of the source's own new slot, for the first consistent read.
  PgChunkReader(PostgresSourceOptions options, const PgTypeRegistry& registry, TypesOf types_of,
                std::optional<ExportedSnapshot> exported);

  Result<StreamPoint> begin_consistent_read() override;
  Status start_chunk(const TableSchema& table, std::span<const Value> after,
                     uint64_t limit) override;
  Result<std::optional<std::span<const Value>>> next_row(Arena& arena) override;
  Status end_consistent_read() override;
  // pg_class.reltuples: the estimate of the last VACUUM/ANALYZE (none before the first).
  Result<std::optional<uint64_t>> estimate_rows(const TableSchema& table) override;

  // The SELECT of one chunk and its parameters (unit-tested).
  static Result<std::string> chunk_query(const TableSchema& table, std::span<const Value> after,
                                         uint64_t limit, std::vector<std::string>& params);

 private:
  Result<ExportedSnapshot> export_on_temporary_slot();

  PostgresSourceOptions o_;
  const PgTypeRegistry& registry_;
  TypesOf types_of_;
  std::optional<ExportedSnapshot> exported_;
  std::optional<PgConnection> sql_;
  bool in_transaction_ = false;
  const TableSchema* table_ = nullptr;  // of the open chunk; the caller keeps it alive
  const PgColumnTypes* types_ = nullptr;
  QueryResult fetched_;  // the rows of the last FETCH
  size_t next_ = 0;      // the next of them to return
};

}  // namespace cdc::postgres
