#include "cdc/snapshot/resnapshot_queue.h"

#include <algorithm>

#include "cdc/core/log.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::snapshot {

ResnapshotQueue::ResnapshotQueue(SnapshotReaderOptions options, ResnapshotHooks hooks)
    : options_(std::move(options)), hooks_(std::move(hooks)) {}

Status ResnapshotQueue::queue(const std::vector<TableId>& tables, std::string_view asked_by) {
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
      ->info("[source={}] re-snapshot of {} table(s) asked for by {}", options_.pipeline_name,
             tables.size(), asked_by);
  return {};
}

void ResnapshotQueue::resume(std::vector<SnapshotTable> tables, std::string after_key) {
  resume_ = std::move(tables);
  resume_after_ = std::move(after_key);
  if (resume_.empty()) return;
  log::get("snapshot")
      ->info(
          "[source={}] a re-snapshot was cut short by a restart: it goes on with {}.{} {}, {} "
          "table(s) left",
          options_.pipeline_name, resume_.front().db, resume_.front().table,
          resume_after_.empty() ? "from its first row" : "after the last row delivered",
          resume_.size());
}

void ResnapshotQueue::resume_also(const SnapshotTable& table) {
  if (!resuming(table)) resume_.push_back(table);
}

bool ResnapshotQueue::resuming(const SnapshotTable& table) const {
  return std::find(resume_.begin(), resume_.end(), table) != resume_.end();
}

bool ResnapshotQueue::unresume(const SnapshotTable& table) {
  const bool first = !resume_.empty() && resume_.front() == table;
  const bool removed = std::erase(resume_, table) != 0;
  if (first) resume_after_.clear();  // the key was that table's
  return removed;
}

void ResnapshotQueue::pending(std::vector<SnapshotTable>& tables, std::string& after_key) const {
  tables.clear();
  after_key = resume_after_;
  if (running()) {
    tables = resnap_->pending();
    after_key = resnap_->after_key();
  }
  auto add = [&](const SnapshotTable& t) {
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  };
  for (const auto& t : resume_) add(t);
  {
    std::lock_guard lock(requested_mutex_);
    for (const TableId& t : requested_) add({t.db, t.table});
  }
  if (tables.empty()) after_key.clear();
}

Resnapshot* ResnapshotQueue::take() {
  std::vector<TableId> tables;
  for (const auto& t : resume_) tables.push_back({t.db, t.table});
  std::string first_after = std::move(resume_after_);
  resume_.clear();
  resume_after_.clear();
  {
    std::lock_guard lock(requested_mutex_);
    tables.insert(tables.end(), requested_.begin(), requested_.end());
    requested_.clear();
  }
  if (tables.empty()) return current();
  std::vector<TableSchemaPtr> schemas;
  for (const TableId& t : tables) {
    TableSchemaPtr schema = hooks_.schema_of(t);
    if (!schema) {
      log::get("snapshot")
          ->error("[source={}] re-snapshot of {}: the source knows no such table; skipped",
                  options_.pipeline_name, t.to_string());
      if (schemas.empty()) first_after.clear();  // the key was this table's
      continue;
    }
    schemas.push_back(std::move(schema));
  }
  if (!schemas.empty() && !resnap_) {
    auto reader = hooks_.connect_reader();
    if (!reader) {
      abandon(reader.error());
      return nullptr;
    }
    reader_ = std::move(*reader);
    resnap_.emplace(*reader_, options_);
  }
  if (!resnap_) return nullptr;
  if (auto st = resnap_->add(schemas, resnap_->idle() ? first_after : std::string()); !st) {
    abandon(st.error());
    return nullptr;
  }
  return current();
}

void ResnapshotQueue::abandon(const Error& e) {
  log::get("snapshot")
      ->error("[source={}] re-snapshot stopped, the stream goes on: {}", options_.pipeline_name,
              e.to_string());
  end();
}

void ResnapshotQueue::end() {
  if (resnap_) {
    past_ += running_progress();
    skipped_past_ += resnap_->rows_skipped();
    cut_past_ += resnap_->chunks_cut();
    merge_table_progress(past_tables_, resnap_->table_progress());
  }
  resnap_.reset();
  reader_.reset();
}

void ResnapshotQueue::clear() {
  resnap_.reset();
  reader_.reset();
  resume_.clear();
  resume_after_.clear();
  past_ = {};
  past_tables_.clear();
  skipped_past_ = cut_past_ = 0;
}

SnapshotProgress ResnapshotQueue::running_progress() const {
  SnapshotProgress p;
  if (resnap_) {
    p.rows = resnap_->rows_read();
    p.chunks = resnap_->chunks_read();
    p.tables_done = resnap_->tables_done();
    p.tables_total = resnap_->tables_requested();
  }
  return p;
}

SnapshotProgress ResnapshotQueue::progress() const {
  SnapshotProgress p = past_;
  p += running_progress();
  p.reading = running();
  return p;
}

std::vector<TableSnapshotProgress> ResnapshotQueue::table_progress() const {
  std::vector<TableSnapshotProgress> out = past_tables_;
  if (resnap_) merge_table_progress(out, resnap_->table_progress());
  return out;
}

uint64_t ResnapshotQueue::rows_skipped() const {
  return skipped_past_ + (resnap_ ? resnap_->rows_skipped() : 0);
}

uint64_t ResnapshotQueue::chunks_cut() const {
  return cut_past_ + (resnap_ ? resnap_->chunks_cut() : 0);
}

Position stream_resume_position(const StreamPoint& stream, std::vector<SnapshotSegment> segments,
                                std::vector<SnapshotTable> tables, std::string after_key) {
  if (segments.empty() && tables.empty()) return to_position(stream);
  SnapshotPosition p;
  p.segments = std::move(segments);
  p.reading = false;
  p.stream = stream;
  if (!tables.empty()) {
    p.resnapshot_tables = std::move(tables);
    p.resnapshot_after_key = std::move(after_key);
  }
  return p;
}

}  // namespace cdc::snapshot
