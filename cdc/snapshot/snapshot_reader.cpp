#include "cdc/snapshot/snapshot_reader.h"

#include <algorithm>
#include <chrono>

#include "cdc/core/log.h"
#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ReadEventSource read_event_source(Batch& batch, const SnapshotReaderOptions& options,
                                  const StreamPoint& at, SnapshotMarker marker) {
  EventPosition where;
  if (const auto* m = std::get_if<MysqlPosition>(&at)) {
    where = BinlogEventPosition{batch.arena.copy(m->binlog.file), BinlogOffset{m->binlog.offset}};
  } else {
    where = std::get<PostgresPosition>(at).commit_lsn;
  }
  return {batch.arena.copy(options.connector), batch.arena.copy(options.pipeline_name), where,
          now_ms(), marker};
}

void append_read_event(Batch& batch, const TableSchemaPtr& schema, std::span<const Value> row,
                       const ReadEventSource& source) {
  ChangeEvent& e = batch.events.emplace_back();
  e.op = Op::read;
  e.schema = batch.hold(schema);
  e.after = RowImage(row);
  e.source.connector = source.connector;
  e.source.name = source.name;
  e.source.snapshot = source.marker;
  e.source.at = source.at;
  e.ts_ms = source.ts_ms;
}

Result<KeyedTable> keyed_table(const SnapshotReaderOptions& options, TableSchemaPtr table) {
  KeyedTable out{table, table, false};
  if (!options.chunk_key) return out;
  CDC_TRY_ASSIGN(ChunkKey ck, options.chunk_key(*table));
  out.whole_values = !ck.unique;
  if (ck.columns != table->primary_key) {
    auto view = std::make_shared<TableSchema>(*table);
    view->primary_key = std::move(ck.columns);
    out.key = std::move(view);
  }
  return out;
}

void warn_read_again(const SnapshotReaderOptions& options, const TableId& table) {
  log::get("snapshot")
      ->warn(
          "[source={}] the snapshot of {} was interrupted and it has no primary key to resume "
          "by: reading it again from the start; its rows delivered before are delivered again, "
          "and so are its changes since they were read",
          options.pipeline_name, table.to_string());
}

Result<ResumePoint> resume_point(const SnapshotReaderOptions& options, const KeyedTable& table,
                                 const std::string& after_key, const std::string& delivered_key) {
  const TableSchema& t = *table.key;
  ResumePoint out{after_key, after_key, ""};
  if (!after_key.empty()) {
    auto key = decode_key(after_key);
    if (!key)
      return std::move(key).error().with_context("the snapshot checkpoint of " + t.id.to_string());
    if (t.primary_key.empty() || key->size() != t.primary_key.size()) {
      // A table without a key (or whose key changed) cannot continue where it stopped.
      warn_read_again(options, t.id);
      out.read_after.clear();
      if (!t.primary_key.empty()) out.segment_from.clear();
    }
  }
  if (!delivered_key.empty() && table.whole_values) {
    CDC_TRY(decode_key(delivered_key));
    log::get("snapshot")
        ->warn(
            "[source={}] the snapshot of {} was interrupted inside a chunk of its non-unique chunk "
            "key: the rows of that chunk delivered before are delivered again, and so are their "
            "changes since they were read",
            options.pipeline_name, t.id.to_string());
    out.segment_from = delivered_key;
    out.reread_through = delivered_key;
  }
  return out;
}

SnapshotReader::SnapshotReader(ChunkReader& reader, SnapshotPosition start,
                               SnapshotReaderOptions options)
    : reader_(reader), pos_(std::move(start)), options_(std::move(options)) {}

Result<StreamPoint> SnapshotReader::begin() {
  CDC_TRY_ASSIGN(read_at_, reader_.begin_consistent_read());
  // Until the reading ends `stream` is unset; it takes the source's kind of point.
  if (pos_.stream.index() != read_at_.index()) {
    pos_.stream = std::visit(
        [](const auto& p) -> StreamPoint { return std::decay_t<decltype(p)>{}; }, read_at_);
  }
  return read_at_;
}

Status SnapshotReader::set_tables(std::vector<TableSchemaPtr> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const TableSchemaPtr& a, const TableSchemaPtr& b) { return a->id < b->id; });
  if (!pos_.table.empty()) {
    const TableId at{pos_.db, pos_.table};
    std::erase_if(tables, [&](const TableSchemaPtr& t) { return t->id < at; });
    // The table being read may be gone: its key then means nothing.
    if (tables.empty() || tables.front()->id != at) {
      pos_.after_key.clear();
      pos_.delivered_key.clear();
    }
  }
  tables_.clear();
  table_idx_ = 0;
  for (auto& t : tables) {
    CDC_TRY_ASSIGN(KeyedTable kt, keyed_table(options_, std::move(t)));
    tables_.push_back(std::move(kt));
  }
  if (!tables_.empty()) {
    pos_.db = table()->id.db;
    pos_.table = table()->id.table;
  }
  planned_ = true;
  for (const KeyedTable& t : tables_) {
    auto estimate = reader_.estimate_rows(*t.schema);
    if (!estimate) {
      return std::move(estimate).error().with_context("the row estimate of " +
                                                      t.schema->id.to_string());
    }
    progress_.plan(t.schema->id, *estimate);
  }
  if (tables_.empty()) return {};
  CDC_TRY_ASSIGN(ResumePoint resume,
                 resume_point(options_, tables_[table_idx_], pos_.after_key, pos_.delivered_key));
  pos_.after_key = resume.read_after;
  pos_.delivered_key = resume.reread_through;
  if (!pos_.after_key.empty()) {
    after_bytes_ = pos_.after_key;
    CDC_TRY_ASSIGN(after_, decode_key(after_bytes_));
  }
  if (!resume.reread_through.empty()) {
    reread_through_bytes_ = std::move(resume.reread_through);
    CDC_TRY_ASSIGN(reread_through_, decode_key(reread_through_bytes_));
  }
  SnapshotSegment seg{pos_.db, pos_.table, std::move(resume.segment_from), read_at_};
  // A segment that read nothing (the run stopped before its first row) is replaced. One after
  // every row (a table without a key read again) held no row: it keeps the earlier run's
  // position, from which the stream must deliver the changes of the rows that run delivered.
  if (!pos_.segments.empty() && pos_.segments.back().db == seg.db &&
      pos_.segments.back().table == seg.table && pos_.segments.back().from_key == seg.from_key) {
    if (seg.from_key != after_every_row_key()) pos_.segments.back() = std::move(seg);
  } else {
    pos_.segments.push_back(std::move(seg));
  }
  log::get("snapshot")
      ->info("[source={}] snapshot: {} table(s) to read from {}{}, as of {}",
             options_.pipeline_name, tables_.size(), table()->id.to_string(),
             pos_.after_key.empty() ? "" : " (after the last key delivered)",
             to_string(to_position(read_at_)));
  return {};
}

void SnapshotReader::advance_table() {
  progress_.done(table_idx_);
  ++table_idx_;
  chunk_open_ = false;
  after_.clear();
  after_bytes_.clear();
  pos_.after_key.clear();
  pos_.delivered_key.clear();
  reread_through_bytes_.clear();
  reread_through_.clear();
  if (table_idx_ < tables_.size()) {
    pos_.db = table()->id.db;
    pos_.table = table()->id.table;
  }
}

Status SnapshotReader::finish() {
  CDC_TRY(reader_.end_consistent_read());
  pos_.reading = false;
  pos_.db.clear();
  pos_.table.clear();
  pos_.after_key.clear();
  // The stream continues at the earliest consistent read: the later segments' rows already
  // hold the changes up to theirs, which StreamFilter holds back for their keys.
  pos_.stream = read_at_;
  for (const auto& seg : pos_.segments) {
    if (compare(to_position(seg.at), to_position(pos_.stream)) == std::partial_ordering::less) {
      pos_.stream = seg.at;
    }
  }
  log::get("snapshot")
      ->info(
          "[source={}] snapshot read: {} row(s) in {} chunk(s) by this run, {} segment(s); the "
          "stream continues at {}",
          options_.pipeline_name, rows_, chunks_, pos_.segments.size(),
          to_string(to_position(pos_.stream)));
  return {};
}

Result<bool> SnapshotReader::fill(Batch& batch, size_t max_events) {
  if (!pos_.reading) {
    batch.end = pos_;
    return false;
  }
  if (!planned_) return make_error(Errc::internal, "snapshot fill() before begin()/set_tables()");
  const ReadEventSource source = read_event_source(batch, options_, read_at_, SnapshotMarker::yes);
  std::span<const Value> last_row;
  const TableSchema* last_schema = nullptr;
  auto remember_last_key = [&] {
    if (last_schema == nullptr) return;
    // A table without a key records an empty key: "rows were delivered" (begin() warns).
    pos_.after_key = encode_key(key_of(*last_schema, last_row));
    last_schema = nullptr;
  };
  while (batch.events.size() < max_events) {
    if (table_idx_ >= tables_.size()) {
      CDC_TRY(finish());
      batch.end = pos_;
      return false;
    }
    const KeyedTable& kt = tables_[table_idx_];
    const TableSchemaPtr& schema = kt.key;
    const bool keyed = !schema->primary_key.empty();
    if (!chunk_open_) {
      const uint64_t limit = keyed ? options_.chunk_size : 0;
      if (auto st = !reread_through_.empty()
                        ? reader_.start_chunk_through(*schema, after_, reread_through_, 0)
                    : kt.whole_values ? reader_.start_chunk_whole_values(*schema, after_, limit)
                                      : reader_.start_chunk(*schema, after_, limit);
          !st) {
        return std::move(st).error().with_context("snapshot of " + schema->id.to_string());
      }
      chunk_open_ = true;
      chunk_rows_ = 0;
    }
    auto row = reader_.next_row(batch.arena);
    if (!row) return std::move(row).error().with_context("snapshot of " + schema->id.to_string());
    if (*row) {
      append_read_event(batch, kt.schema, **row, source);
      last_row = **row;
      last_schema = schema.get();
      ++chunk_rows_;
      ++rows_;
      progress_.count(table_idx_, 1);
      continue;
    }
    chunk_open_ = false;
    ++chunks_;
    if (!reread_through_.empty()) {
      // The piece read again holds every row up to the key delivered before: whole values on.
      last_schema = nullptr;
      pos_.after_key = std::move(reread_through_bytes_);
      pos_.delivered_key.clear();
      reread_through_bytes_.clear();
      reread_through_.clear();
      after_bytes_ = pos_.after_key;
      CDC_TRY_ASSIGN(after_, decode_key(after_bytes_));
      continue;
    }
    if (last_schema == nullptr && !pos_.delivered_key.empty()) {
      pos_.after_key = std::move(pos_.delivered_key);  // its last row came in an earlier batch
    }
    pos_.delivered_key.clear();
    remember_last_key();
    if (!keyed || chunk_rows_ < options_.chunk_size) {
      advance_table();
    } else {
      after_bytes_ = pos_.after_key;
      CDC_TRY_ASSIGN(after_, decode_key(after_bytes_));
    }
  }
  // A non-unique chunk key resumes only after a whole value: inside a chunk the position keeps
  // the previous chunk's end, and the greatest key delivered (delivered_key), so a restart reads
  // this chunk's rows delivered so far again and the stream delivers their changes (README). While
  // the piece a restart reads again is open, its end stays the key delivered.
  if (chunk_open_ && tables_[table_idx_].whole_values) {
    if (last_schema != nullptr && reread_through_.empty()) {
      pos_.delivered_key = encode_key(key_of(*last_schema, last_row));
    }
  } else {
    remember_last_key();
  }
  batch.end = pos_;
  return true;
}

}  // namespace cdc::snapshot
