// MysqlChunkReader: the snapshot engine's ChunkReader in MariaDB's and MySQL's dialect, on a
// connection of its own. A consistent read is `START TRANSACTION WITH CONSISTENT SNAPSHOT`,
// whose binlog position MariaDB reports atomically with it (binlog_snapshot_file/_position): no
// lock is taken and nothing is written. MySQL has no such status variable: there the read
// starts under FLUSH TABLES WITH READ LOCK, held only until the binlog position is read with
// it (ARCHITECTURE.md, "Snapshots": the shortest lock that ties a read view to a position).
// Chunks are keyset queries (`WHERE key > last ORDER BY key LIMIT n`) streamed with
// mysql_use_result. Owned and used by the source's thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/protocol/mysql_connection.h"
#include "cdc/mysql/snapshot/snapshot_values.h"
#include "cdc/snapshot/chunk_reader.h"

namespace cdc::mysql {

class MysqlChunkReader final : public snapshot::ChunkReader {
 public:
  // `pipeline_name` names the log lines; `geometry_wkt` and `on_invalid` are the source's
  // geometry.format and charset.invalid.
  static Result<std::unique_ptr<MysqlChunkReader>> connect(const ConnectOptions& options,
                                                           std::string pipeline_name,
                                                           bool geometry_wkt,
                                                           InvalidText on_invalid);

  Result<StreamPoint> begin_consistent_read() override;
  Status start_chunk(const TableSchema& table, std::span<const Value> after,
                     uint64_t limit) override;
  Result<std::optional<std::span<const Value>>> next_row(Arena& arena) override;
  Status end_consistent_read() override;
  Status start_chunk_through(const TableSchema& table, std::span<const Value> after,
                             std::span<const Value> through, uint64_t limit) override;
  Result<std::optional<KeyBounds>> key_bounds(const TableSchema& table, Arena& arena) override;
  // information_schema.TABLES.TABLE_ROWS: InnoDB's sampled estimate.
  Result<std::optional<uint64_t>> estimate_rows(const TableSchema& table) override;
  Status start_chunk_whole_values(const TableSchema& table, std::span<const Value> after,
                                  uint64_t limit) override;

  // The SELECT of one chunk (unit-tested): keys after `after` and at most `through` (each
  // empty: unbounded).
  static Result<std::string> chunk_query(const TableSchema& table, std::span<const Value> after,
                                         uint64_t limit, std::span<const Value> through = {});
  // The SELECT of a chunk of whole values of a one-column key that is not unique: the keys
  // after `after` up to the `limit`-th one, with every row of that last value.
  static Result<std::string> whole_values_query(const TableSchema& table,
                                                std::span<const Value> after, uint64_t limit);
  // MySQL: the statement that reports the binlog position (SHOW BINARY LOG STATUS from 8.2 on,
  // where SHOW MASTER STATUS is deprecated, and removed in 8.4), and the position in its row
  // (File, Position, ...). Unit-tested: there is no MySQL server here.
  static std::string binlog_status_query(std::string_view server_version);
  static Result<MysqlPosition> binlog_status_position(const std::vector<SqlRow>& rows);

 private:
  MysqlChunkReader(std::unique_ptr<MysqlConnection> conn, std::string pipeline_name,
                   bool geometry_wkt, InvalidText on_invalid)
      : conn_(std::move(conn)),
        pipeline_name_(std::move(pipeline_name)),
        geometry_wkt_(geometry_wkt),
        on_invalid_(on_invalid) {}
  // Sets the open chunk's table and plans its columns' conversions (snapshot_values.h).
  void use_table(const TableSchema& table);
  Result<MysqlPosition> mariadb_consistent_read();
  Result<MysqlPosition> mysql_consistent_read(std::chrono::microseconds& locked);

  std::unique_ptr<MysqlConnection> conn_;
  std::string pipeline_name_;
  bool geometry_wkt_;
  InvalidText on_invalid_;
  bool mariadb_ = true;
  bool in_transaction_ = false;
  const TableSchema* table_ = nullptr;    // of the open chunk; the caller keeps it alive
  std::vector<TextColumn> text_columns_;  // of table_
};

}  // namespace cdc::mysql
