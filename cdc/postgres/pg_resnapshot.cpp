#include "cdc/postgres/pg_resnapshot.h"

#include <random>

#include "cdc/core/log.h"
#include "cdc/snapshot/snapshot_key.h"

namespace cdc::postgres {

namespace {

snapshot::SnapshotReaderOptions reader_options(std::string pipeline_name, uint32_t chunk_size) {
  snapshot::SnapshotReaderOptions so;
  so.pipeline_name = std::move(pipeline_name);
  so.connector = "postgresql";
  so.chunk_size = chunk_size;
  return so;
}

}  // namespace

PgResnapshot::PgResnapshot(std::string pipeline_name, uint32_t chunk_size, uint64_t max_reopens,
                           PgResnapshotHooks hooks)
    : queue_(reader_options(pipeline_name, chunk_size), std::move(hooks.queue)),
      emit_watermark_(std::move(hooks.emit_watermark)),
      max_reopens_(max_reopens) {
  std::random_device rd;
  watermark_.instance = (uint64_t{rd()} << 32) | rd();
  watermark_.pipeline = std::move(pipeline_name);
}

bool PgResnapshot::step(Batch& batch, size_t max_events) {
  snapshot::Resnapshot* resnap = queue_.take();
  if (resnap == nullptr) {
    reset_window();
    return false;
  }
  if (!window_open_) {
    open_window(*resnap);
    return false;  // the stream goes on to the watermark first
  }
  if (!at_watermark_) return false;
  if (spoiled_) {
    // A change the snapshot does not see and no key names: this window cannot be used.
    if (++attempts_ > max_reopens_) {
      queue_.abandon(
          make_error(Errc::unavailable, resnap->current()->id.to_string() +
                                            " was changed (without a key to skip by, or truncated) "
                                            "between the snapshot and the watermark of " +
                                            std::to_string(max_reopens_) + " windows in a row"));
      reset_window();
      return false;
    }
    close_window();
    ++reopened_;
    return false;
  }
  auto more = resnap->fill(
      batch, max_events,
      [this](const TableSchema& t, std::span<const Value> row) { return verdict(t, row); });
  if (!more) {
    queue_.abandon(more.error());
    reset_window();
    batch.events.clear();
    return false;
  }
  if (!*more) {
    reset_window();  // the chunk is out (or cut): the next one gets a window of its own
    attempts_ = 0;
  }
  return true;
}

void PgResnapshot::open_window(snapshot::Resnapshot& resnap) {
  auto w = resnap.open_window();
  if (!w) {
    queue_.abandon(w.error());
    return;
  }
  if (!*w) {
    queue_.end();
    return;
  }
  snapshot_ = reader().window_snapshot();
  if (const uint32_t missed = recent_.first_invisible(snapshot_); missed != 0) {
    // Delivered before this snapshot was taken, yet not in it (its commit record is decoded,
    // its ProcArray end is still to come): rows read now could be older than what the sink
    // has. Another window, later.
    if (++attempts_ > max_reopens_) {
      queue_.abandon(make_error(Errc::unavailable,
                                "transaction " + std::to_string(missed) +
                                    ", already streamed, stays invisible to new snapshots after " +
                                    std::to_string(max_reopens_) + " windows"));
      return;
    }
    ++reopened_;
    close_window();
    return;
  }
  ++watermark_.window;
  touched_.clear();
  spoiled_ = at_watermark_ = false;
  if (auto st = emit_watermark_(encode_watermark(watermark_)); !st) {
    queue_.abandon(st.error().with_context("writing the re-snapshot window's watermark"));
    return;
  }
  window_open_ = true;
}

void PgResnapshot::reset_window() {
  window_open_ = at_watermark_ = spoiled_ = false;
  touched_.clear();
}

void PgResnapshot::close_window() {
  reset_window();
  if (auto st = reader().end_consistent_read(); !st) {
    queue_.abandon(st.error());
    return;
  }
  queue_.current()->drop_window();
}

void PgResnapshot::observe(const ChangeEvent& e) {
  if (e.op == Op::schema_change || !e.source.tx_id) return;
  const auto xid = static_cast<uint32_t>(*e.source.tx_id);
  recent_.push(xid);
  // The stream stops at the watermark: every event seen while the window is open came before.
  const snapshot::Resnapshot* resnap = queue_.current();
  if (!window_open_ || resnap == nullptr || e.schema == nullptr) return;
  const TableSchema* table = resnap->current();
  if (table == nullptr || e.schema->id != table->id) return;
  if (snapshot_.visible(xid)) return;  // its rows are in the chunk
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

}  // namespace cdc::postgres
