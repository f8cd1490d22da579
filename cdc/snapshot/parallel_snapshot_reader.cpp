#include "cdc/snapshot/parallel_snapshot_reader.h"

#include <algorithm>

#include "cdc/core/log.h"
#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

namespace {

bool integer_key(const TableSchema& t) {
  if (t.primary_key.size() != 1) return false;
  const ValueKind k = t.columns[t.primary_key[0]].kind;
  return k == ValueKind::int64 || k == ValueKind::uint64;
}

__int128 as_int(const Value& v) {
  return v.kind == ValueKind::uint64 ? static_cast<__int128>(v.u) : static_cast<__int128>(v.i);
}

// A split bound of a table without a key: a place in its storage (storage_split_points).
std::string place_key(uint64_t place) {
  const Value v = Value::uint64(place);
  return encode_key(std::span<const Value>(&v, 1));
}

std::string key_text(ValueKind kind, __int128 x) {
  const Value v = kind == ValueKind::uint64 ? Value::uint64(static_cast<uint64_t>(x))
                                            : Value::int64(static_cast<int64_t>(x));
  return encode_key(std::span<const Value>(&v, 1));
}

// `parts` key ranges of equal width between the least and the greatest key; the first is open
// below and the last above, so rows inserted outside the bounds meanwhile belong to one.
std::vector<SnapshotSplit> split_evenly(const TableSchema& t, const ChunkReader::KeyBounds& b,
                                        size_t parts) {
  const ValueKind kind = t.columns[t.primary_key[0]].kind;
  const __int128 least = as_int(b.least), width = as_int(b.greatest) - least + 1;
  auto boundary = [&](size_t i) { return least + width * static_cast<__int128>(i) / parts; };
  std::vector<SnapshotSplit> out;
  for (size_t i = 0; i < parts; ++i) {
    SnapshotSplit s{t.id.db, t.id.table, "", "", "", ""};
    if (i != 0) s.from_key = key_text(kind, boundary(i) - 1);
    if (i + 1 != parts) s.through_key = key_text(kind, boundary(i + 1) - 1);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

void insert_segment(std::vector<SnapshotSegment>& segments, SnapshotSegment seg,
                    const TableSchema& schema) {
  const TableId id{seg.db, seg.table};
  size_t at = 0;
  for (; at < segments.size(); ++at) {
    const SnapshotSegment& s = segments[at];
    const TableId sid{s.db, s.table};
    if (id < sid) break;
    if (sid < id) continue;
    if (s.from_key == seg.from_key) {
      // A segment after every row holds no row: its position says only from where the stream
      // delivers the table's changes, and an earlier run's read, whose rows were delivered,
      // must keep it there. Any other is replaced: the run before read nothing past its key.
      if (seg.from_key != after_every_row_key()) segments[at] = std::move(seg);
      return;
    }
    if (seg.from_key.empty()) break;
    if (s.from_key.empty()) continue;
    auto a = decode_key(seg.from_key);
    auto b = decode_key(s.from_key);
    if (!a || !b) continue;
    auto order = compare_keys(schema, *a, *b);
    if (order && *order < 0) break;
  }
  segments.insert(segments.begin() + static_cast<std::ptrdiff_t>(at), std::move(seg));
}

ParallelSnapshotReader::ParallelSnapshotReader(std::vector<ChunkReader*> readers,
                                               SnapshotPosition start,
                                               SnapshotReaderOptions options, size_t batch_events)
    : readers_(std::move(readers)),
      pos_(std::move(start)),
      options_(std::move(options)),
      batch_events_(std::max<size_t>(batch_events, 1)) {}

ParallelSnapshotReader::~ParallelSnapshotReader() { stop_workers(); }

Result<StreamPoint> ParallelSnapshotReader::begin() {
  if (readers_.empty()) return make_error(Errc::internal, "a parallel snapshot without a reader");
  CDC_TRY_ASSIGN(begun_at_, readers_[0]->begin_consistent_read());
  // As SnapshotReader: until the reading ends `stream` is unset but of the source's kind, which
  // tells a checkpoint taken before any split opened (no segment yet) as the source's.
  if (pos_.stream.index() != begun_at_.index()) {
    pos_.stream = std::visit(
        [](const auto& p) -> StreamPoint { return std::decay_t<decltype(p)>{}; }, begun_at_);
  }
  return begun_at_;
}

Status ParallelSnapshotReader::plan(std::vector<TableSchemaPtr> tables) {
  // A checkpoint of one connection (parallelism raised across a restart): the tables before
  // its table are done, its table goes on as one split after its last key (one without a key
  // is planned again, read whole: SnapshotReader's warning).
  if (!pos_.table.empty()) {
    const TableId at{pos_.db, pos_.table};
    std::erase_if(tables, [&](const TableSchemaPtr& t) { return t->id < at; });
    if (!tables.empty() && tables.front()->id == at) {
      CDC_TRY_ASSIGN(KeyedTable kt, keyed_table(options_, tables.front()));
      if (!kt.key->primary_key.empty()) {
        SnapshotSplit where{at.db, at.table, "", "", pos_.after_key, pos_.delivered_key};
        CDC_TRY(prepare_resume(where, kt));
        splits_.push_back({std::move(where), std::move(kt)});
        tables.erase(tables.begin());
      } else if (!pos_.after_key.empty()) {
        warn_read_again(options_, at);
        CDC_TRY(plan_table(std::move(kt), /*read_again=*/true));
        tables.erase(tables.begin());
      }
    }
  }
  pos_.db.clear();
  pos_.table.clear();
  pos_.after_key.clear();
  pos_.delivered_key.clear();
  for (const TableSchemaPtr& table : tables) {
    CDC_TRY_ASSIGN(KeyedTable kt, keyed_table(options_, table));
    CDC_TRY(plan_table(std::move(kt), /*read_again=*/false));
  }
  return {};
}

// A table without a key is cut where the source places its storage (ChunkReader::
// storage_split_points), the others as below; `splits_` gets the table's splits in order.
// `read_again`: a table without a key whose rows an interrupted run delivered; its segment
// starts after every row (delivered_key: the empty key, which orders equal to each), so the
// stream delivers its changes since that run's read.
Status ParallelSnapshotReader::plan_table(KeyedTable kt, bool read_again) {
  const TableSchemaPtr& t = kt.key;
  if (t->primary_key.empty()) {
    std::vector<uint64_t> points;
    if (readers_.size() > 1) {
      CDC_TRY_ASSIGN(points, readers_[0]->storage_split_points(*t, readers_.size()));
    }
    const std::string delivered = read_again ? after_every_row_key() : "";
    for (size_t i = 0; i <= points.size(); ++i) {
      SnapshotSplit s{t->id.db, t->id.table, "", "", "", delivered};
      if (i != 0) s.from_key = place_key(points[i - 1]);
      if (i != points.size()) s.through_key = place_key(points[i]);
      splits_.push_back({std::move(s), kt});
    }
    return {};
  }
  Arena arena;
  std::optional<ChunkReader::KeyBounds> bounds;
  // A non-unique chunk key is one split: its whole-value chunks cannot be bounded above.
  if (readers_.size() > 1 && integer_key(*t) && !kt.whole_values) {
    auto b = readers_[0]->key_bounds(*t, arena);
    if (!b && b.error().code != Errc::unsupported) {
      return std::move(b).error().with_context("planning the snapshot of " + t->id.to_string());
    }
    if (b) bounds = *b;
  }
  size_t parts = 1;
  if (bounds) {
    const __int128 width = as_int(bounds->greatest) - as_int(bounds->least) + 1;
    const __int128 chunks =
        width / static_cast<__int128>(std::max<uint64_t>(options_.chunk_size, 1));
    parts = static_cast<size_t>(std::min<__int128>(chunks, readers_.size()));
  }
  if (parts < 2) {
    splits_.push_back({{t->id.db, t->id.table, "", "", "", ""}, kt});
    return {};
  }
  for (auto& s : split_evenly(*t, *bounds, parts)) splits_.push_back({std::move(s), kt});
  return {};
}

Status ParallelSnapshotReader::resume(std::vector<TableSchemaPtr> tables) {
  for (SnapshotSplit& s : pos_.splits) {
    const TableId id{s.db, s.table};
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const TableSchemaPtr& t) { return t->id == id; });
    if (it == tables.end()) {
      log::get("snapshot")
          ->warn(
              "[source={}] {} is no longer captured or gone: the rest of its snapshot is not "
              "read",
              options_.pipeline_name, id.to_string());
      continue;
    }
    CDC_TRY_ASSIGN(KeyedTable kt, keyed_table(options_, *it));
    // A table without a key was split at places in the old snapshot's storage, which mean
    // nothing in this run's: a row may have moved between parts since. It is read again whole,
    // planned anew, however many of its parts were done.
    if (kt.key->primary_key.empty()) {
      if (!splits_.empty() && splits_.back().table.schema->id == id) continue;
      const bool delivered = keyless_rows_delivered(id);
      if (delivered) warn_read_again(options_, id);
      CDC_TRY(plan_table(std::move(kt), delivered));
      continue;
    }
    CDC_TRY(prepare_resume(s, kt));
    splits_.push_back({std::move(s), std::move(kt)});
  }
  return {};
}

// Whether an interrupted run delivered rows of `table` (without a key): a part of it read some,
// or one is done (no longer listed: the parts listed do not chain from its start to its end).
bool ParallelSnapshotReader::keyless_rows_delivered(const TableId& table) const {
  std::vector<const SnapshotSplit*> parts;
  for (const SnapshotSplit& s : pos_.splits) {
    if (TableId{s.db, s.table} == table) parts.push_back(&s);
  }
  if (parts.empty()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i]->after_key.empty() || !parts[i]->delivered_key.empty()) return true;
    if (i + 1 < parts.size() && parts[i]->through_key != parts[i + 1]->from_key) return true;
  }
  return !parts.front()->from_key.empty() || !parts.back()->through_key.empty();
}

// A split a checkpoint cut goes on where resume_point says; its delivered_key keeps where the
// new segment starts when that is not after_key (or from_key).
Status ParallelSnapshotReader::prepare_resume(SnapshotSplit& s, const KeyedTable& kt) {
  CDC_TRY_ASSIGN(ResumePoint resume, resume_point(options_, kt, s.after_key, s.delivered_key));
  s.after_key = std::move(resume.read_after);
  s.delivered_key =
      resume.segment_from == s.after_key ? std::string() : std::move(resume.segment_from);
  return {};
}

Status ParallelSnapshotReader::set_tables(std::vector<TableSchemaPtr> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const TableSchemaPtr& a, const TableSchemaPtr& b) { return a->id < b->id; });
  const bool resuming = !pos_.splits.empty();
  CDC_TRY(resuming ? resume(std::move(tables)) : plan(std::move(tables)));
  // Splits are in table order: a table's splits share its progress entry.
  for (Split& s : splits_) {
    const TableId id = s.table.schema->id;
    if (auto idx = progress_.find(id)) {
      s.progress_idx = *idx;
      continue;
    }
    auto estimate = readers_[0]->estimate_rows(*s.table.schema);
    if (!estimate)
      return std::move(estimate).error().with_context("the row estimate of " + id.to_string());
    s.progress_idx = progress_.plan(id, *estimate);
  }
  CDC_TRY(readers_[0]->end_consistent_read());
  open_splits_ = splits_.size();
  tables_planned_ = progress_.tables().size();
  pos_.splits.clear();
  for (const Split& s : splits_) pos_.splits.push_back(s.where);
  planned_ = true;
  const size_t workers = std::min(readers_.size(), splits_.size());
  log::get("snapshot")
      ->info("[source={}] snapshot: {} table(s) in {} split(s){}, read by {} connection(s)",
             options_.pipeline_name, tables_planned_, splits_.size(),
             resuming ? " (resumed after the last keys delivered)" : "", workers);
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this, i] { work(i); });
  return {};
}

bool ParallelSnapshotReader::push(Message m) {
  std::unique_lock lock(mutex_);
  space_.wait(lock, [&] { return stop_ || queue_.size() < 2 * readers_.size(); });
  if (stop_) return false;
  queue_.push_back(std::move(m));
  ready_.notify_one();
  return true;
}

void ParallelSnapshotReader::work(size_t reader_idx) {
  for (;;) {
    size_t split_idx = 0;
    {
      std::lock_guard lock(mutex_);
      if (stop_ || next_split_ >= splits_.size()) return;
      split_idx = next_split_++;
    }
    if (auto st = read_split(*readers_[reader_idx], split_idx); !st) {
      Message m;
      m.split = split_idx;
      m.error = std::move(st).error();
      push(std::move(m));
      return;
    }
  }
}

// Reads one split in a consistent read of its own, in keyset chunks, from after its last key
// delivered (the split's fields are only read here: fill() changes them only for messages of
// this split, which this call sends after reading them).
Status ParallelSnapshotReader::read_split(ChunkReader& reader, size_t split_idx) {
  const SnapshotSplit& where = splits_[split_idx].where;
  const KeyedTable kt = splits_[split_idx].table;
  const TableSchemaPtr& schema = kt.key;
  const std::string context = "snapshot of " + schema->id.to_string();
  const bool keyed = !schema->primary_key.empty();
  // A part of a table without a key starts at its place whatever it delivered (resume() reads
  // such a table again whole).
  std::string after_bytes = where.after_key.empty() || !keyed ? where.from_key : where.after_key;
  const std::string through_bytes = where.through_key;
  std::vector<Value> after, through;
  if (!after_bytes.empty()) {
    CDC_TRY_ASSIGN(after, decode_key(after_bytes));
  }
  if (!through_bytes.empty()) {
    CDC_TRY_ASSIGN(through, decode_key(through_bytes));
  }
  // A whole-value chunk a restart cut: the rows up to the key delivered are read again first,
  // as one piece (prepare_resume).
  std::string reread_bytes = kt.whole_values ? where.delivered_key : std::string();
  std::vector<Value> reread;
  if (!reread_bytes.empty()) {
    CDC_TRY_ASSIGN(reread, decode_key(reread_bytes));
  }

  CDC_TRY_ASSIGN(const StreamPoint at, reader.begin_consistent_read());
  {
    Message m;
    m.split = split_idx;
    m.opened = at;
    if (!push(std::move(m))) return {};
  }
  auto batch = std::make_unique<Batch>();
  ReadEventSource source = read_event_source(*batch, options_, at, SnapshotMarker::yes);
  std::span<const Value> last_row;
  bool have_last = false;
  std::string last_key;
  // `boundary`: the batch ends where a chunk does. A non-unique chunk key records its progress
  // only there (a whole value read), the others after every batch; inside a whole-value chunk
  // its greatest key delivered (not while the piece read again is open: that key stays).
  auto hand_over = [&](bool done, bool boundary) {
    Message m;
    m.split = split_idx;
    m.done = done;
    if (have_last) last_key = encode_key(key_of(*schema, last_row));
    if (!last_key.empty() && (boundary || !kt.whole_values)) m.last_key = last_key;
    if (kt.whole_values && reread.empty()) {
      m.delivered_key = boundary ? std::string() : last_key;
    }
    m.batch = std::move(batch);
    batch = std::make_unique<Batch>();
    source = read_event_source(*batch, options_, at, SnapshotMarker::yes);
    have_last = false;
    return push(std::move(m));
  };
  for (;;) {
    const uint64_t limit = keyed ? options_.chunk_size : 0;
    if (auto st = !reread.empty()   ? reader.start_chunk_through(*schema, after, reread, 0)
                  : kt.whole_values ? reader.start_chunk_whole_values(*schema, after, limit)
                                    : reader.start_chunk_through(*schema, after, through, limit);
        !st) {
      return std::move(st).error().with_context(context);
    }
    uint64_t chunk_rows = 0;
    for (;;) {
      auto row = reader.next_row(batch->arena);
      if (!row) return std::move(row).error().with_context(context);
      if (!*row) break;
      append_read_event(*batch, kt.schema, **row, source);
      last_row = **row;
      have_last = true;
      ++chunk_rows;
      if (batch->events.size() >= batch_events_ && !hand_over(false, false)) return {};
    }
    chunks_.fetch_add(1, std::memory_order_relaxed);
    if (!reread.empty()) {
      // Every row up to the key delivered is read: whole values go on after it.
      after_bytes = std::move(reread_bytes);
      reread_bytes.clear();
      reread.clear();
      last_key = after_bytes;
      have_last = false;
      if (!hand_over(false, true)) return {};
      CDC_TRY_ASSIGN(after, decode_key(after_bytes));
      continue;
    }
    if (!keyed || chunk_rows < options_.chunk_size) break;
    if (kt.whole_values) {
      if (!hand_over(false, true)) return {};
    } else if (have_last) {
      last_key = encode_key(key_of(*schema, last_row));
    }
    after_bytes = last_key;
    CDC_TRY_ASSIGN(after, decode_key(after_bytes));
  }
  CDC_TRY(reader.end_consistent_read());
  hand_over(true, true);
  return {};
}

void ParallelSnapshotReader::apply(Message& m) {
  Split& s = splits_[m.split];
  if (m.opened) {
    // A table without a key has one segment per read, from its start (after every row when
    // read again): its parts are places in storage, not keys, and all of them are read in the
    // same snapshot (storage_split_points). A delivered key says where the segment starts.
    const bool keyed = !s.table.key->primary_key.empty();
    const std::string& from = !s.where.delivered_key.empty() ? s.where.delivered_key
                              : !keyed                       ? std::string()
                              : s.where.after_key.empty()    ? s.where.from_key
                                                             : s.where.after_key;
    insert_segment(pos_.segments,
                   {s.where.db, s.where.table, from, *m.opened, /*single_table=*/true},
                   *s.table.key);
  }
  if (m.batch) {
    rows_ += m.batch->events.size();
    progress_.count(s.progress_idx, m.batch->events.size());
  }
  if (!m.last_key.empty()) s.where.after_key = std::move(m.last_key);
  if (m.delivered_key) s.where.delivered_key = std::move(*m.delivered_key);
  if (m.done) {
    s.done = true;
    --open_splits_;
    const bool table_open = std::any_of(splits_.begin(), splits_.end(), [&](const Split& o) {
      return !o.done && o.where.db == s.where.db && o.where.table == s.where.table;
    });
    if (!table_open) {
      ++tables_done_;
      progress_.done(s.progress_idx);
    }
  }
  pos_.splits.clear();
  for (const Split& o : splits_) {
    if (!o.done) pos_.splits.push_back(o.where);
  }
}

Status ParallelSnapshotReader::finish() {
  stop_workers();
  pos_.reading = false;
  pos_.splits.clear();
  pos_.db.clear();
  pos_.table.clear();
  pos_.after_key.clear();
  // The stream continues at the earliest consistent read; StreamFilter holds back, key by key,
  // what the later ones' rows hold.
  pos_.stream = begun_at_;
  for (size_t i = 0; i < pos_.segments.size(); ++i) {
    const auto& seg = pos_.segments[i];
    if (i == 0 ||
        compare(to_position(seg.at), to_position(pos_.stream)) == std::partial_ordering::less) {
      pos_.stream = seg.at;
    }
  }
  log::get("snapshot")
      ->info(
          "[source={}] snapshot read: {} row(s) in {} chunk(s) by this run, {} segment(s); the "
          "stream continues at {}",
          options_.pipeline_name, rows_, chunks_read(), pos_.segments.size(),
          to_string(to_position(pos_.stream)));
  return {};
}

Result<bool> ParallelSnapshotReader::fill(Batch& batch, size_t max_events) {
  (void)max_events;  // the workers' batches are cut at batch_events
  if (!pos_.reading) {
    batch.end = pos_;
    return false;
  }
  if (!planned_) return make_error(Errc::internal, "snapshot fill() before begin()/set_tables()");
  if (open_splits_ != 0) {
    Message m;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !queue_.empty(); });
      m = std::move(queue_.front());
      queue_.pop_front();
      space_.notify_one();
    }
    if (m.error) return std::move(*m.error);
    apply(m);
    if (m.batch) batch = std::move(*m.batch);
  }
  if (open_splits_ == 0) {
    CDC_TRY(finish());
    batch.end = pos_;
    return false;
  }
  batch.end = pos_;
  return true;
}

void ParallelSnapshotReader::stop_workers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  space_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
}

}  // namespace cdc::snapshot
