#include "cdc/snapshot/stream_filter.h"

#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

namespace {

// Binlog positions as cdc::compare orders them: file by its numeric suffix, then offset.
bool at_or_after(std::string_view file, uint64_t offset, const MysqlPosition& p) {
  const uint64_t fa = binlog_file_index(file), fb = binlog_file_index(p.binlog.file);
  return fa != fb ? fa > fb : offset >= p.binlog.offset;
}

}  // namespace

StreamFilter::StreamFilter(std::vector<SnapshotSegment> segments) : segments_(std::move(segments)) {
  for (const auto& seg : segments_) {
    if (!at_or_after(latest_.binlog.file, latest_.binlog.offset, seg.at)) latest_ = seg.at;
  }
}

bool StreamFilter::done(const MysqlPosition& at) const {
  return at_or_after(at.binlog.file, at.binlog.offset, latest_);
}

Result<bool> StreamFilter::deliver_key(const TableSchema& schema, std::span<const Value> row,
                                       const BinlogEventPosition& at) const {
  const TableId& id = schema.id;
  // The segment holding (table, key): the last one starting at or before it. A segment starts
  // after its from_key (so that key itself belongs to the one before); "" = the table's start.
  const SnapshotSegment* found = nullptr;
  std::vector<Value> key;
  for (const auto& seg : segments_) {
    const TableId start{seg.db, seg.table};
    if (id < start) break;
    if (id == start && !seg.from_key.empty()) {
      if (key.empty()) key = key_of(schema, row);
      CDC_TRY_ASSIGN(const auto from, decode_key(seg.from_key));
      auto order = compare_keys(schema, key, from);
      if (!order) {
        return std::move(order).error().with_context(
            "merging the change stream with the snapshot resumed inside " + id.to_string());
      }
      if (*order <= 0) break;
    }
    found = &seg;
  }
  // A table before every segment was not read (created or captured after the snapshot began):
  // all of its rows come from the stream.
  if (found == nullptr) return true;
  return at_or_after(at.file, value(at.offset), found->at);
}

// A TRUNCATE empties the whole table: delivered when every part of the table was read before
// it, dropped when every part was read after it (the rows read hold it), refused when it falls
// between the reads of two parts (no order of the output is right then).
Result<bool> StreamFilter::deliver_truncate(const TableSchema& schema,
                                            const BinlogEventPosition& at) const {
  const TableId& id = schema.id;
  std::optional<bool> decision;
  const SnapshotSegment* covering = nullptr;  // the segment holding the table's first rows
  for (const auto& seg : segments_) {
    const TableId start{seg.db, seg.table};
    if (id < start) break;
    if (id == start && !seg.from_key.empty()) {
      const bool part = at_or_after(at.file, value(at.offset), seg.at);
      if (decision && *decision != part) {
        return make_error(Errc::unsupported,
                          "TRUNCATE of " + id.to_string() + " at " + to_string(EventPosition(at)) +
                              " falls between the snapshot reads of two parts of it");
      }
      decision = part;
      continue;
    }
    covering = &seg;
    decision.reset();
  }
  const bool first = covering == nullptr || at_or_after(at.file, value(at.offset), covering->at);
  if (decision && *decision != first) {
    return make_error(Errc::unsupported,
                      "TRUNCATE of " + id.to_string() + " at " + to_string(EventPosition(at)) +
                          " falls between the snapshot reads of two parts of it");
  }
  return first;
}

Result<bool> StreamFilter::deliver(const ChangeEvent& e) const {
  const auto* at = std::get_if<BinlogEventPosition>(&e.source.at);
  if (e.schema == nullptr || at == nullptr) return true;
  if (at_or_after(at->file, value(at->offset), latest_)) return true;
  switch (e.op) {
    case Op::insert:
    case Op::update:
    case Op::erase: break;
    case Op::truncate: return deliver_truncate(*e.schema, *at);
    default: return true;  // schema changes: not rows of a segment
  }
  if (e.after.present) {
    CDC_TRY_ASSIGN(const bool after, deliver_key(*e.schema, e.after.values(), *at));
    if (after) return true;
  }
  if (e.before.present) return deliver_key(*e.schema, e.before.values(), *at);
  return false;
}

}  // namespace cdc::snapshot
