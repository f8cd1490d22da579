#include "cdc/snapshot/table_progress.h"

#include <algorithm>

namespace cdc::snapshot {

size_t TableProgressBook::plan(const TableId& table, std::optional<uint64_t> rows_estimated) {
  TableSnapshotProgress fresh{table, State::waiting, 0, rows_estimated};
  if (auto idx = find(table)) {
    tables_[*idx] = std::move(fresh);
    return *idx;
  }
  tables_.push_back(std::move(fresh));
  return tables_.size() - 1;
}

std::optional<size_t> TableProgressBook::find(const TableId& table) const {
  auto it = std::find_if(tables_.begin(), tables_.end(),
                         [&](const TableSnapshotProgress& t) { return t.table == table; });
  if (it == tables_.end()) return std::nullopt;
  return static_cast<size_t>(it - tables_.begin());
}

void merge_table_progress(std::vector<TableSnapshotProgress>& into,
                          const std::vector<TableSnapshotProgress>& newer) {
  for (const TableSnapshotProgress& t : newer) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const TableSnapshotProgress& o) { return o.table == t.table; });
    if (it != into.end()) {
      *it = t;
    } else {
      into.push_back(t);
    }
  }
}

}  // namespace cdc::snapshot
