// MysqlSource: the MySQL/MariaDB binlog source. Impersonates a replica (COM_BINLOG_DUMP on a
// libmariadb connection), turns the events into change events with BinlogStream, and returns
// Batches of row changes whose end Position resumes exactly (Debezium semantics: the start of
// the current transaction + row events and rows of it already delivered). open/poll/close run
// on the reader thread only; acknowledge is a no-op (MySQL keeps no replica state).
#pragma once

#include <chrono>
#include <memory>

#include "cdc/core/source.h"
#include "cdc/mysql/mysql_source_options.h"

namespace cdc::mysql {

class MysqlSource final : public cdc::Source {
 public:
  explicit MysqlSource(MysqlSourceOptions options);
  ~MysqlSource() override;

  // Checks the server (binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL) and
  // starts the dump at `resume` (a MysqlPosition) or where the startup mode says (monostate).
  // Errors: invalid_config (bad options or server settings, with the setting to change),
  // auth, io (retry).
  Status open(const Position& resume) override;
  // After open(): the resolved start; later: the end of the last returned batch.
  Position current_position() const override;
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) override;
  void close() override;

  // Where the next poll continues from (the end of the last returned batch, or the start).
  MysqlPosition position() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::mysql
