// TableProgressBook: the per-table progress of one snapshot run (rows read, the server's
// estimate, waiting/reading/done) that the readers keep for Source::snapshot_tables. Indexes
// are stable, so a reader counts rows by index on its hot path. Used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "cdc/core/source.h"

namespace cdc::snapshot {

class TableProgressBook {
 public:
  using State = TableSnapshotProgress::State;

  // Adds `table` as waiting and returns its index; a table already in the book starts over.
  size_t plan(const TableId& table, std::optional<uint64_t> rows_estimated);
  void set_estimate(size_t idx, std::optional<uint64_t> rows_estimated) {
    tables_[idx].rows_estimated = rows_estimated;
  }
  void count(size_t idx, uint64_t rows) {
    tables_[idx].rows_read += rows;
    if (tables_[idx].state == State::waiting) tables_[idx].state = State::reading;
  }
  void done(size_t idx) { tables_[idx].state = State::done; }
  // The index of `table`, if planned.
  std::optional<size_t> find(const TableId& table) const;
  const std::vector<TableSnapshotProgress>& tables() const { return tables_; }

 private:
  std::vector<TableSnapshotProgress> tables_;
};

// Adds `newer` to `into`, each replacing an entry of the same table (a table read again shows
// its latest read).
void merge_table_progress(std::vector<TableSnapshotProgress>& into,
                          const std::vector<TableSnapshotProgress>& newer);

}  // namespace cdc::snapshot
