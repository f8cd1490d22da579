#include "cdc/snapshot/stream_filter.h"

#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

namespace {

// Binlog positions as cdc::compare orders them: file by its numeric suffix, then offset.
bool at_or_after(std::string_view file, uint64_t offset, const MysqlPosition& p) {
  const uint64_t fa = binlog_file_index(file), fb = binlog_file_index(p.binlog.file);
  return fa != fb ? fa > fb : offset >= p.binlog.offset;
}

// Whether a change at `at` comes at or after the consistent read at `p`: a binlog event by its
// file and offset, a PostgreSQL transaction by its commit LSN against the slot's consistent
// point (the read holds exactly the transactions committed before it). A change of another
// source than the segments' is not one the snapshot can hold.
bool at_or_after(const EventPosition& at, const StreamPoint& p) {
  if (const auto* b = std::get_if<BinlogEventPosition>(&at)) {
    const auto* m = std::get_if<MysqlPosition>(&p);
    return m == nullptr || at_or_after(b->file, value(b->offset), *m);
  }
  if (const auto* lsn = std::get_if<Lsn>(&at)) {
    const auto* pg = std::get_if<PostgresPosition>(&p);
    return pg == nullptr || static_cast<uint64_t>(*lsn) >= static_cast<uint64_t>(pg->commit_lsn);
  }
  return true;
}

bool at_or_after(const StreamPoint& a, const StreamPoint& b) {
  return compare(to_position(a), to_position(b)) != std::partial_ordering::less;
}

// Whether `seg`, the last segment starting at or before a row of table `id`, holds that row.
bool holds(const SnapshotSegment& seg, const TableId& id) {
  return !seg.single_table || (seg.db == id.db && seg.table == id.table);
}

}  // namespace

StreamFilter::StreamFilter(std::vector<SnapshotSegment> segments, KeyOrder order,
                           ChunkKeyFn chunk_key)
    : segments_(std::move(segments)), order_(std::move(order)), chunk_key_(std::move(chunk_key)) {
  for (const auto& seg : segments_) {
    if (!latest_ || !at_or_after(*latest_, seg.at)) latest_ = seg.at;
  }
}

bool StreamFilter::done(const StreamPoint& at) const {
  return !latest_ || at_or_after(at, *latest_);
}

Result<bool> StreamFilter::deliver_key(const TableSchema& schema, std::span<const Value> row,
                                       const EventPosition& at) const {
  const TableId& id = schema.id;
  // The segment holding (table, key): the last one starting at or before it. A segment starts
  // after its from_key (so that key itself belongs to the one before); "" = the table's start.
  const SnapshotSegment* found = nullptr;
  std::vector<Value> key;
  ChunkKey ck{schema.primary_key, true};
  for (const auto& seg : segments_) {
    const TableId start{seg.db, seg.table};
    if (id < start) break;
    if (id == start && !seg.from_key.empty()) {
      if (key.empty()) {
        if (chunk_key_) {
          CDC_TRY_ASSIGN(ck, chunk_key_(schema));
        }
        key = key_of(ck.columns, row);
      }
      CDC_TRY_ASSIGN(const auto from, decode_key(seg.from_key));
      auto order = compare_keys(schema, ck.columns, key, from);
      if (!order && order.error().code == Errc::unsupported && order_) {
        order = order_(schema, key, from);
      }
      if (!order) {
        return std::move(order).error().with_context(
            "merging the change stream with the snapshot resumed inside " + id.to_string());
      }
      if (*order <= 0) break;
    }
    found = &seg;
  }
  // A table before every segment was not read (created or captured after the snapshot began):
  // all of its rows come from the stream. So is one after a segment that held its own table
  // only (a parallel split): its place in name order says nothing of when it was read.
  if (found == nullptr || !holds(*found, id)) return true;
  return at_or_after(at, found->at);
}

// A TRUNCATE empties the whole table: delivered when every part of the table was read before
// it, dropped when every part was read after it (the rows read hold it), refused when it falls
// between the reads of two parts (no order of the output is right then).
Result<bool> StreamFilter::deliver_truncate(const TableSchema& schema,
                                            const EventPosition& at) const {
  const TableId& id = schema.id;
  std::optional<bool> decision;
  const SnapshotSegment* covering = nullptr;  // the segment holding the table's first rows
  for (const auto& seg : segments_) {
    const TableId start{seg.db, seg.table};
    if (id < start) break;
    if (id == start && !seg.from_key.empty()) {
      const bool part = at_or_after(at, seg.at);
      if (decision && *decision != part) {
        return make_error(Errc::unsupported,
                          "TRUNCATE of " + id.to_string() + " at " + to_string(at) +
                              " falls between the snapshot reads of two parts of it");
      }
      decision = part;
      continue;
    }
    covering = &seg;
    decision.reset();
  }
  if (covering != nullptr && !holds(*covering, id)) covering = nullptr;
  const bool first = covering == nullptr || at_or_after(at, covering->at);
  if (decision && *decision != first) {
    return make_error(Errc::unsupported,
                      "TRUNCATE of " + id.to_string() + " at " + to_string(at) +
                          " falls between the snapshot reads of two parts of it");
  }
  return first;
}

Result<bool> StreamFilter::deliver(const ChangeEvent& e) const {
  if (!std::holds_alternative<BinlogEventPosition>(e.source.at)) return true;
  return deliver(e, e.source.at);
}

Result<bool> StreamFilter::deliver(const ChangeEvent& e, const EventPosition& at) const {
  if (e.schema == nullptr || !latest_ || at_or_after(at, *latest_)) return true;
  switch (e.op) {
    case Op::insert:
    case Op::update:
    case Op::erase: break;
    case Op::truncate: return deliver_truncate(*e.schema, at);
    default: return true;  // schema changes: not rows of a segment
  }
  if (e.after.present) {
    CDC_TRY_ASSIGN(const bool after, deliver_key(*e.schema, e.after.values(), at));
    if (after) return true;
  }
  if (e.before.present) return deliver_key(*e.schema, e.before.values(), at);
  return false;
}

}  // namespace cdc::snapshot
