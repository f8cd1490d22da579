// PipelineMetrics: the runner's Prometheus series, labelled {pipeline="<name>"}. The families
// live in the registry; this struct holds references to one pipeline's children. Counter and
// gauge updates are thread-safe (prometheus-cpp uses atomics).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "cdc/core/batch.h"
#include "cdc/core/source.h"

namespace cdc::pipeline {

struct PipelineMetrics {
  PipelineMetrics(prometheus::Registry& registry, const std::string& pipeline);

  // Counts a written batch in sluice_sink_events_written_total{pipeline, table, op}.
  // Sink thread only (it caches the children it has looked up).
  void count_written(const Batch& batch);
  // Counts a batch the source returned: sluice_source_events_total{pipeline, table, op},
  // sluice_source_lag_seconds (now minus the commit time of its last event, when it has one)
  // and, for a MySQL end position, sluice_source_binlog_file_number and _offset. Reader
  // thread only. `now_ms`: wall clock, ms since the epoch.
  void count_read(const Batch& batch, int64_t now_ms);
  // Sets sluice_snapshot_table_rows_read and _rows_estimated{pipeline, table} from
  // Source::snapshot_tables. Reader thread only.
  void set_snapshot_tables(const std::vector<TableSnapshotProgress>& tables);

  prometheus::Counter& events_read;  // sluice_source_events_read_total
  prometheus::Counter&
      bytes_written;  // sluice_sink_bytes_written_total (queue bytes of written batches)
  prometheus::Gauge& queue_events;            // sluice_queue_depth_events
  prometheus::Gauge& queue_bytes;             // sluice_queue_depth_bytes
  prometheus::Counter& checkpoints;           // sluice_checkpoints_total
  prometheus::Histogram& checkpoint_seconds;  // sluice_checkpoint_duration_seconds
  prometheus::Gauge& last_checkpoint_time;    // sluice_last_checkpoint_timestamp_seconds
  prometheus::Gauge& lag_seconds;             // sluice_replication_lag_seconds
  prometheus::Counter& restarts;              // sluice_pipeline_restarts_total
  prometheus::Counter& errors;                // sluice_pipeline_errors_total
  prometheus::Gauge& running;             // sluice_pipeline_up (1 while source and sink are open)
  prometheus::Counter& bytes_read;        // sluice_source_bytes_read_total (Source::bytes_read)
  prometheus::Counter& reconnects;        // sluice_source_reconnects_total (opens after the first)
  prometheus::Gauge& source_lag;          // sluice_source_lag_seconds
  prometheus::Gauge& binlog_file_number;  // sluice_source_binlog_file_number (mysql-bin.000042: 42)
  prometheus::Gauge& binlog_offset;       // sluice_source_binlog_offset
  // Snapshots (Source::snapshot_progress), reader thread.
  prometheus::Counter& snapshot_rows;         // sluice_snapshot_rows_total
  prometheus::Counter& snapshot_chunks_done;  // sluice_snapshot_chunks_done_total
  prometheus::Gauge& snapshot_tables_done;    // sluice_snapshot_tables_done
  prometheus::Gauge& snapshot_tables_total;   // sluice_snapshot_tables_total
  prometheus::Gauge& snapshot_reading;        // sluice_snapshot_reading (1 while reading rows)

 private:
  std::string pipeline_;
  prometheus::Family<prometheus::Counter>& events_written_;  // sluice_sink_events_written_total
  std::map<std::pair<std::string, char>, prometheus::Counter*> written_by_table_;  // (db.table, op)
  prometheus::Family<prometheus::Counter>& events_read_by_table_;  // sluice_source_events_total
  std::map<std::pair<std::string, char>, prometheus::Counter*> read_by_table_;  // reader thread
  prometheus::Family<prometheus::Gauge>& snapshot_table_rows_;                  // reader thread
  prometheus::Family<prometheus::Gauge>& snapshot_table_estimated_;             // reader thread
};

}  // namespace cdc::pipeline
