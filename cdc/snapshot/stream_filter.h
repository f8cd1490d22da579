// StreamFilter: merges the change stream with a finished snapshot (ARCHITECTURE.md,
// "Snapshots"). The stream restarts at the earliest segment's position; a change is delivered
// unless the rows of its key's segment were read at a later position (they already hold it).
// Once the stream passes every segment's position it delivers everything and the filter goes.
// Immutable after create(): thread-compatible.
#pragma once

#include <compare>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "cdc/core/change_event.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

class StreamFilter {
 public:
  // Orders two keys of a table when compare_keys cannot (a text key: its collation's order),
  // e.g. by asking the source's server.
  using KeyOrder = std::function<Result<std::strong_ordering>(
      const TableSchema&, std::span<const Value>, std::span<const Value>)>;
  // `chunk_key`: the key the snapshot chunked each table by (SnapshotReaderOptions), which
  // the segments' keys are of; unset: the primary key.
  explicit StreamFilter(std::vector<SnapshotSegment> segments, KeyOrder order = nullptr,
                        ChunkKeyFn chunk_key = nullptr);

  // Whether `e` (a change read from the stream) is delivered. An update is delivered if
  // either its old or its new key is (a key that moved between segments); a TRUNCATE if the
  // table's rows were all read before it. Errors (Errc::unsupported, the table named): a key
  // that must be ordered against a segment's start and cannot be (compare_keys); a TRUNCATE
  // between the reads of two parts of one table.
  Result<bool> deliver(const ChangeEvent& e) const;
  // The same for a change whose stream point is not its source.at: a PostgreSQL change is
  // placed by its transaction's commit LSN (a slot's consistent point splits transactions by
  // where their commit record lies, not by where their changes do).
  Result<bool> deliver(const ChangeEvent& e, const EventPosition& at) const;
  // Whether every change from stream position `at` on is delivered.
  bool done(const StreamPoint& at) const;
  const std::vector<SnapshotSegment>& segments() const { return segments_; }

 private:
  Result<bool> deliver_key(const TableSchema& schema, std::span<const Value> row,
                           const EventPosition& at) const;
  Result<bool> deliver_truncate(const TableSchema& schema, const EventPosition& at) const;

  std::vector<SnapshotSegment> segments_;
  KeyOrder order_;
  ChunkKeyFn chunk_key_;
  std::optional<StreamPoint> latest_;  // the latest segment position
};

}  // namespace cdc::snapshot
