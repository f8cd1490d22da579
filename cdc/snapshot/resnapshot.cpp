#include "cdc/snapshot/resnapshot.h"

#include <algorithm>

#include "cdc/core/log.h"
#include "cdc/snapshot/snapshot_key.h"

namespace cdc::snapshot {

Resnapshot::Resnapshot(ChunkReader& reader, SnapshotReaderOptions options)
    : reader_(reader), options_(std::move(options)) {}

Status Resnapshot::add(const std::vector<TableSchemaPtr>& tables, std::string_view first_after) {
  if (tables_.empty() && !first_after.empty() && !tables.empty()) {
    after_bytes_ = std::string(first_after);
    auto key = decode_key(after_bytes_);
    if (!key) {
      after_bytes_.clear();
      return std::move(key).error().with_context("resuming the re-snapshot of " +
                                                 tables.front()->id.to_string());
    }
    after_ = std::move(*key);
  }
  for (const auto& t : tables) {
    const bool waiting = std::any_of(tables_.begin(), tables_.end(),
                                     [&](const TableSchemaPtr& w) { return w->id == t->id; });
    if (waiting) continue;
    tables_.push_back(t);
    progress_.plan(t->id, std::nullopt);  // estimated when its read starts (no chunk open then)
    ++tables_requested_;
    log::get("snapshot")
        ->info("[source={}] re-snapshot of {} requested: read while streaming, {} row(s) a chunk",
               options_.pipeline_name, t->id.to_string(), options_.chunk_size);
  }
  return {};
}

Result<bool> Resnapshot::remove(const TableId& table) {
  const auto it = std::find_if(tables_.begin(), tables_.end(),
                               [&](const TableSchemaPtr& t) { return t->id == table; });
  if (it == tables_.end()) return false;
  const size_t idx = *progress_.find(table);
  const bool front = it == tables_.begin();
  if (progress_.tables()[idx].rows_read != 0 || (front && (chunk_open_ || !after_.empty()))) {
    return false;
  }
  if (front && window_) {
    CDC_TRY(reader_.end_consistent_read());
    window_.reset();
  }
  tables_.erase(it);
  progress_.done(idx);
  ++tables_done_;
  return true;
}

std::vector<SnapshotTable> Resnapshot::pending() const {
  std::vector<SnapshotTable> out;
  out.reserve(tables_.size());
  for (const auto& t : tables_) out.push_back({t->id.db, t->id.table});
  return out;
}

Result<std::optional<StreamPoint>> Resnapshot::open_window() {
  if (window_) return window_;
  if (tables_.empty()) return std::optional<StreamPoint>();
  CDC_TRY_ASSIGN(const StreamPoint point, reader_.begin_consistent_read());
  window_ = point;
  return window_;
}

Result<bool> Resnapshot::fill(Batch& batch, size_t max_events, const RowGate& gate) {
  if (!window_ || tables_.empty()) {
    return make_error(Errc::internal, "re-snapshot fill() without an open window");
  }
  const TableSchemaPtr schema = tables_.front();
  const bool keyed = !schema->primary_key.empty();
  const ReadEventSource source =
      read_event_source(batch, options_, *window_, SnapshotMarker::incremental);
  auto where = [&] { return "re-snapshot of " + schema->id.to_string(); };
  const size_t progress_idx = *progress_.find(schema->id);
  if (!chunk_open_) {
    if (after_.empty() &&
        progress_.tables()[progress_idx].state == TableProgressBook::State::waiting) {
      auto estimate = reader_.estimate_rows(*schema);
      if (!estimate) return std::move(estimate).error().with_context(where());
      progress_.set_estimate(progress_idx, *estimate);
    }
    if (!keyed && after_.empty()) {
      log::get("snapshot")
          ->warn(
              "[source={}] {} has no primary key: its re-snapshot is one unchunked read, and the "
              "stream waits until it is done",
              options_.pipeline_name, schema->id.to_string());
    }
    if (auto st = reader_.start_chunk(*schema, after_, keyed ? options_.chunk_size : 0); !st) {
      return std::move(st).error().with_context(where());
    }
    chunk_open_ = true;
    chunk_rows_ = 0;
  }
  std::span<const Value> last_row;  // the last row read, emitted or skipped
  auto keep_last_key = [&]() -> Status {
    if (last_row.empty() || !keyed) return {};
    after_bytes_ = encode_key(key_of(*schema, last_row));
    CDC_TRY_ASSIGN(after_, decode_key(after_bytes_));
    return {};
  };
  while (batch.events.size() < max_events) {
    auto row = reader_.next_row(batch.arena);
    if (!row) return std::move(row).error().with_context(where());
    const RowVerdict verdict = *row && gate ? gate(*schema, **row) : RowVerdict::emit;
    if (verdict == RowVerdict::cut) {
      // A newer change of this key left a value out: the next window (a newer read) starts here.
      chunk_open_ = false;
      ++chunks_;
      ++cuts_;
      CDC_TRY(reader_.end_consistent_read());
      window_.reset();
      CDC_TRY(keep_last_key());
      return false;
    }
    if (!*row) {
      // The chunk is done: the next one (or table) gets a window of its own.
      chunk_open_ = false;
      ++chunks_;
      CDC_TRY(reader_.end_consistent_read());
      window_.reset();
      if (!keyed || chunk_rows_ < options_.chunk_size) {
        ++tables_done_;
        progress_.done(progress_idx);
        log::get("snapshot")
            ->info("[source={}] re-snapshot of {} read", options_.pipeline_name,
                   schema->id.to_string());
        tables_.pop_front();
        after_.clear();
        after_bytes_.clear();
      } else {
        CDC_TRY(keep_last_key());
      }  // with no row in this batch: the chunk's last row ended the previous one, which kept it
      return false;
    }
    last_row = **row;
    ++chunk_rows_;
    if (verdict == RowVerdict::skip) {
      ++skipped_;
      continue;
    }
    append_read_event(batch, schema, **row, source);
    ++rows_;
    progress_.count(progress_idx, 1);
  }
  // The chunk goes on in the next batch: remember its last key in case it ends right there.
  CDC_TRY(keep_last_key());
  return true;
}

}  // namespace cdc::snapshot
