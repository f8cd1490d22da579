#include "cdc/pipeline/pipeline_metrics.h"

#include <optional>
#include <variant>

namespace cdc::pipeline {

namespace {
prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help,
                             const std::string& pipeline) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"pipeline", pipeline}});
}
prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help,
                         const std::string& pipeline) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({{"pipeline", pipeline}});
}
}  // namespace

PipelineMetrics::PipelineMetrics(prometheus::Registry& r, const std::string& p)
    : events_read(
          counter(r, "sluice_source_events_read_total", "Change events read from the source", p)),
      bytes_written(counter(r, "sluice_sink_bytes_written_total",
                            "In-memory bytes of batches handed to the sink", p)),
      queue_events(
          gauge(r, "sluice_queue_depth_events", "Events waiting between source and sink", p)),
      queue_bytes(gauge(r, "sluice_queue_depth_bytes", "Bytes waiting between source and sink", p)),
      checkpoints(counter(r, "sluice_checkpoints_total", "Checkpoints committed", p)),
      checkpoint_seconds(prometheus::BuildHistogram()
                             .Name("sluice_checkpoint_duration_seconds")
                             .Help("Time from sink prepare to commit of a checkpoint")
                             .Register(r)
                             .Add({{"pipeline", p}},
                                  prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05,
                                                                          0.1, 0.5, 1, 5, 10})),
      last_checkpoint_time(gauge(r, "sluice_last_checkpoint_timestamp_seconds",
                                 "Unix time of the last committed checkpoint", p)),
      lag_seconds(gauge(r, "sluice_replication_lag_seconds",
                        "Now minus the source commit time of the last written event", p)),
      restarts(
          counter(r, "sluice_pipeline_restarts_total", "Restarts after a retryable failure", p)),
      errors(counter(r, "sluice_pipeline_errors_total", "Failures of the pipeline (retried or not)",
                     p)),
      running(gauge(r, "sluice_pipeline_up", "1 while the pipeline's source and sink are open", p)),
      bytes_read(counter(r, "sluice_source_bytes_read_total",
                         "Bytes of replication events the source received", p)),
      reconnects(counter(r, "sluice_source_reconnects_total",
                         "Times the source was opened again after the first (restarts)", p)),
      source_lag(gauge(r, "sluice_source_lag_seconds",
                       "Now minus the source commit time of the last event read", p)),
      binlog_file_number(
          gauge(r, "sluice_source_binlog_file_number",
                "Number of the binlog file the source has read up to (mysql-bin.000042: 42)", p)),
      binlog_offset(gauge(r, "sluice_source_binlog_offset",
                          "Offset in that binlog file of the position the source resumes from", p)),
      snapshot_rows(counter(r, "sluice_snapshot_rows_total", "Rows read by snapshots", p)),
      snapshot_chunks_done(
          counter(r, "sluice_snapshot_chunks_done_total", "Snapshot chunks read to their end", p)),
      snapshot_tables_done(gauge(r, "sluice_snapshot_tables_done",
                                 "Tables of the running snapshot's plan finished", p)),
      snapshot_tables_total(gauge(r, "sluice_snapshot_tables_total",
                                  "Tables of the running snapshot's plan (left when it started)",
                                  p)),
      snapshot_reading(
          gauge(r, "sluice_snapshot_reading", "1 while a snapshot reads existing rows", p)),
      pipeline_(p),
      events_written_(prometheus::BuildCounter()
                          .Name("sluice_sink_events_written_total")
                          .Help("Change events handed to the sink, by table and op")
                          .Register(r)),
      events_read_by_table_(prometheus::BuildCounter()
                                .Name("sluice_source_events_total")
                                .Help("Change events read from the source, by table and op")
                                .Register(r)),
      snapshot_table_rows_(prometheus::BuildGauge()
                               .Name("sluice_snapshot_table_rows_read")
                               .Help("Rows of the table read by its latest snapshot (this process)")
                               .Register(r)),
      snapshot_table_estimated_(
          prometheus::BuildGauge()
              .Name("sluice_snapshot_table_rows_estimated")
              .Help("The server's row estimate of the table when its snapshot was planned")
              .Register(r)) {}

namespace {
// Events come in runs of one table and op: one lookup per run, not per event.
void count_by_table(const Batch& batch, const std::string& pipeline,
                    prometheus::Family<prometheus::Counter>& family,
                    std::map<std::pair<std::string, char>, prometheus::Counter*>& children) {
  const auto& events = batch.events;
  for (size_t i = 0; i < events.size();) {
    size_t j = i + 1;
    while (j < events.size() && events[j].schema == events[i].schema &&
           events[j].op == events[i].op)
      ++j;
    const std::string table = events[i].schema ? events[i].schema->id.to_string() : std::string();
    const char op = op_code(events[i].op);
    auto [it, added] = children.try_emplace({table, op}, nullptr);
    if (added) {
      it->second =
          &family.Add({{"pipeline", pipeline}, {"table", table}, {"op", std::string(1, op)}});
    }
    it->second->Increment(static_cast<double>(j - i));
    i = j;
  }
}

// 42 for "mysql-bin.000042": the digits after the last '.', or nothing.
std::optional<uint64_t> file_number_of(const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot + 1 == file.size()) return std::nullopt;
  uint64_t n = 0;
  for (size_t i = dot + 1; i < file.size(); ++i) {
    if (file[i] < '0' || file[i] > '9' || n > (uint64_t{1} << 50)) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(file[i] - '0');
  }
  return n;
}
}  // namespace

void PipelineMetrics::count_written(const Batch& batch) {
  count_by_table(batch, pipeline_, events_written_, written_by_table_);
}

void PipelineMetrics::count_read(const Batch& batch, int64_t now_ms) {
  count_by_table(batch, pipeline_, events_read_by_table_, read_by_table_);
  if (!batch.events.empty() && batch.events.back().source.commit_ts_ms > 0) {
    source_lag.Set(static_cast<double>(now_ms - batch.events.back().source.commit_ts_ms) / 1000.0);
  }
  if (const auto* p = std::get_if<MysqlPosition>(&batch.end); p && !p->binlog.file.empty()) {
    if (auto n = file_number_of(p->binlog.file)) binlog_file_number.Set(static_cast<double>(*n));
    binlog_offset.Set(static_cast<double>(p->binlog.offset));
  }
}

void PipelineMetrics::set_snapshot_tables(const std::vector<TableSnapshotProgress>& tables) {
  for (const TableSnapshotProgress& t : tables) {
    const prometheus::Labels labels{{"pipeline", pipeline_}, {"table", t.table.to_string()}};
    snapshot_table_rows_.Add(labels).Set(static_cast<double>(t.rows_read));
    if (t.rows_estimated) {
      snapshot_table_estimated_.Add(labels).Set(static_cast<double>(*t.rows_estimated));
    }
  }
}

}  // namespace cdc::pipeline
