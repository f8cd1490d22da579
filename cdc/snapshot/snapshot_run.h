// SnapshotRun: one run of the initial snapshot as a source drives it, whether one connection
// reads it (SnapshotReader) or several (ParallelSnapshotReader, `scan.snapshot.parallelism`).
// Used by one thread (the source's).
#pragma once

#include <cstdint>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/source.h"
#include "cdc/core/table_schema.h"

namespace cdc::snapshot {

class SnapshotRun {
 public:
  virtual ~SnapshotRun() = default;
  // Opens a consistent read and returns its stream position (the source seeds its schema
  // history there before it names the tables).
  virtual Result<StreamPoint> begin() = 0;
  // The tables to read (any order): after begin(), before fill().
  virtual Status set_tables(std::vector<TableSchemaPtr> tables) = 0;
  // Appends up to `max_events` read events to `batch` and sets batch.end to the position after
  // them. Returns false when every table is read: batch.end then has `reading` false and the
  // stream position to continue at.
  virtual Result<bool> fill(Batch& batch, size_t max_events) = 0;
  virtual const SnapshotPosition& position() const = 0;
  virtual uint64_t rows_read() const = 0;
  virtual uint64_t chunks_read() const = 0;
  virtual uint64_t tables_planned() const = 0;
  virtual uint64_t tables_done() const = 0;
  // This run's tables (those left at set_tables), in the order they are read.
  virtual const std::vector<TableSnapshotProgress>& table_progress() const = 0;
  // The counts above as Source::snapshot_progress reports them (`reading` true).
  SnapshotProgress progress() const {
    return {true, rows_read(), chunks_read(), tables_done(), tables_planned()};
  }
};

}  // namespace cdc::snapshot
