#include "cdc/postgres/pg_resnapshot.h"

#include <algorithm>
#include <random>

#include "cdc/core/log.h"
#include "cdc/snapshot/snapshot_key.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::postgres {

namespace {

// Windows opened again in a row before the re-snapshot gives up: a transaction the stream
// delivered that stays invisible to new snapshots this long is no commit/visibility race.
constexpr uint64_t kMaxReopens = 1000;

}  // namespace

PgResnapshot::PgResnapshot(std::string pipeline_name, uint32_t chunk_size, PgResnapshotHooks hooks)
    : pipeline_(std::move(pipeline_name)), chunk_size_(chunk_size), hooks_(std::move(hooks)) {
  watermark_.instance = std::random_device{}() * uint64_t{0x100000000} + std::random_device{}();
  watermark_.pipeline = pipeline_;
}

Status PgResnapshot::queue(const std::vector<TableId>& tables, std::string_view asked_by) {
  if (tables.empty()) return make_error(Errc::invalid_config, "re-snapshot of no table");
  for (const TableId& t : tables) {
    if (!hooks_.captured(t)) {
      return make_error(Errc::invalid_config,
                        "re-snapshot of " + t.to_string() + ": the pipeline does not capture it");
    }
  }
  std::lock_guard lock(requested_mutex_);
  requested_.insert(requested_.end(), tables.begin(), tables.end());
  log::get("snapshot")
      ->info("[source={}] re-snapshot of {} table(s) asked for by {}", pipeline_, tables.size(),
             asked_by);
  return {};
}

void PgResnapshot::resume(std::vector<SnapshotTable> tables, std::string after_key) {
  resume_ = std::move(tables);
  resume_after_ = std::move(after_key);
}

void PgResnapshot::pending(std::vector<SnapshotTable>& tables, std::string& after_key) const {
  tables.clear();
  after_key = resume_after_;
  if (resnap_ && !resnap_->idle()) {
    tables = resnap_->pending();
    after_key = resnap_->after_key();
  }
  auto add = [&](const SnapshotTable& t) {
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  };
  for (const auto& t : resume_) add(t);
  std::lock_guard lock(requested_mutex_);
  for (const TableId& t : requested_) add({t.db, t.table});
  if (tables.empty()) after_key.clear();
}

void PgResnapshot::take(const std::vector<TableId>& tables, std::string_view first_after) {
  std::vector<TableSchemaPtr> schemas;
  for (const TableId& t : tables) {
    TableSchemaPtr schema = hooks_.schema_of(t);
    if (!schema) {
      log::get("snapshot")
          ->error("[source={}] re-snapshot of {}: the source knows no such table; skipped",
                  pipeline_, t.to_string());
      if (schemas.empty()) first_after = {};  // the key was this table's
      continue;
    }
    schemas.push_back(std::move(schema));
  }
  if (!schemas.empty() && !resnap_) {
    auto reader = hooks_.connect_reader();
    if (!reader) {
      abandon(reader.error());
      return;
    }
    reader_ = std::move(*reader);
    snapshot::SnapshotReaderOptions so;
    so.pipeline_name = pipeline_;
    so.connector = "postgresql";
    so.chunk_size = chunk_size_;
    resnap_.emplace(*reader_, so);
  }
  if (!resnap_) return;
  if (auto st = resnap_->add(schemas, resnap_->idle() ? first_after : std::string_view()); !st) {
    abandon(st.error());
  }
}

bool PgResnapshot::step(Batch& batch, size_t max_events) {
  if (!resume_.empty()) {
    std::vector<TableId> tables;
    for (const auto& t : resume_) tables.push_back({t.db, t.table});
    const std::string after = std::move(resume_after_);
    resume_.clear();
    resume_after_.clear();
    take(tables, after);
  }
  std::vector<TableId> asked;
  {
    std::lock_guard lock(requested_mutex_);
    asked.swap(requested_);
  }
  if (!asked.empty()) take(asked, {});
  if (!resnap_) return false;
  if (!window_open_) {
    open_window();
    return false;  // the stream goes on to the watermark first
  }
  if (!at_watermark_) return false;
  if (spoiled_) {
    // A change the snapshot does not see and no key names: this window cannot be used.
    close_window();
    ++reopened_;
    return false;
  }
  auto more = resnap_->fill(
      batch, max_events,
      [this](const TableSchema& t, std::span<const Value> row) { return verdict(t, row); });
  if (!more) {
    abandon(more.error());
    batch.events.clear();
    return false;
  }
  if (!*more) {
    window_open_ = at_watermark_ = false;
    attempts_ = 0;
  }
  return true;
}

bool PgResnapshot::open_window() {
  auto w = resnap_->open_window();
  if (!w) {
    abandon(w.error());
    return false;
  }
  if (!*w) {
    end();
    return false;
  }
  const PgSnapshot& snap = reader_->window_snapshot();
  if (const uint32_t missed = recent_.first_invisible(snap); missed != 0) {
    // Delivered before this snapshot was taken, yet not in it (its commit record is decoded,
    // its ProcArray end is still to come): rows read now could be older than what the sink
    // has. Another window, later.
    if (++attempts_ > kMaxReopens) {
      abandon(make_error(Errc::unavailable,
                         "transaction " + std::to_string(missed) +
                             ", already streamed, stays invisible to new snapshots after " +
                             std::to_string(kMaxReopens) + " windows"));
      return false;
    }
    ++reopened_;
    close_window();
    return false;
  }
  ++watermark_.window;
  touched_.clear();
  spoiled_ = at_watermark_ = false;
  if (auto st = hooks_.emit_watermark(encode_watermark(watermark_)); !st) {
    abandon(st.error().with_context("writing the re-snapshot window's watermark"));
    return false;
  }
  window_open_ = true;
  return true;
}

void PgResnapshot::close_window() {
  window_open_ = at_watermark_ = spoiled_ = false;
  touched_.clear();
  if (auto st = reader_->end_consistent_read(); !st) {
    abandon(st.error());
    return;
  }
  resnap_->drop_window();
}

void PgResnapshot::observe(const ChangeEvent& e) {
  if (e.op == Op::schema_change || !e.source.tx_id) return;
  const auto xid = static_cast<uint32_t>(*e.source.tx_id);
  recent_.push(xid);
  // The stream stops at the watermark: every event seen while the window is open came before.
  if (!window_open_ || e.schema == nullptr) return;
  const TableSchema* table = resnap_->current();
  if (table == nullptr || e.schema->id != table->id) return;
  if (reader_->window_snapshot().visible(xid)) return;  // its rows are in the chunk
  if (e.op == Op::truncate || e.schema->primary_key.empty()) {
    spoiled_ = true;
    return;
  }
  const bool unchanged = !e.unchanged_columns.empty();
  for (const RowImage* image : {&e.before, &e.after}) {
    if (!image->present) continue;
    touched_.touch(snapshot::encode_key(snapshot::key_of(*e.schema, image->values())),
                   unchanged && image == &e.after);
  }
}

void PgResnapshot::on_message(std::string_view prefix, std::string_view content) {
  if (prefix != kWatermarkPrefix || !window_open_) return;
  // Another pipeline's, an earlier window's or a malformed one: not this window's end.
  auto id = parse_watermark(content);
  if (id && *id == watermark_) at_watermark_ = true;
}

snapshot::RowVerdict PgResnapshot::verdict(const TableSchema& table,
                                           std::span<const Value> row) const {
  if (touched_.size() == 0) return snapshot::RowVerdict::emit;
  return touched_.verdict(snapshot::encode_key(snapshot::key_of(table, row)));
}

void PgResnapshot::abandon(const Error& e) {
  log::get("snapshot")
      ->error("[source={}] re-snapshot stopped, the stream goes on: {}", pipeline_, e.to_string());
  end();
}

void PgResnapshot::end() {
  if (resnap_) {
    past_.rows += resnap_->rows_read();
    past_.chunks += resnap_->chunks_read();
    past_.tables_done += resnap_->tables_done();
    past_.tables_total += resnap_->tables_requested();
    skipped_past_ += resnap_->rows_skipped();
    cut_past_ += resnap_->chunks_cut();
    snapshot::merge_table_progress(past_tables_, resnap_->table_progress());
  }
  resnap_.reset();
  reader_.reset();
  window_open_ = at_watermark_ = spoiled_ = false;
  touched_.clear();
  attempts_ = 0;
}

SnapshotProgress PgResnapshot::progress() const {
  SnapshotProgress p = past_;
  if (resnap_) {
    p.reading = !resnap_->idle();
    p.rows += resnap_->rows_read();
    p.chunks += resnap_->chunks_read();
    p.tables_done += resnap_->tables_done();
    p.tables_total += resnap_->tables_requested();
  }
  return p;
}

std::vector<TableSnapshotProgress> PgResnapshot::table_progress() const {
  std::vector<TableSnapshotProgress> out = past_tables_;
  if (resnap_) snapshot::merge_table_progress(out, resnap_->table_progress());
  return out;
}

}  // namespace cdc::postgres
