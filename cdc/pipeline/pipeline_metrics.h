// PipelineMetrics: the runner's Prometheus series, labelled {pipeline="<name>"}. The families
// live in the registry; this struct holds references to one pipeline's children. Counter and
// gauge updates are thread-safe (prometheus-cpp uses atomics).
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdc::pipeline {

struct PipelineMetrics {
  PipelineMetrics(prometheus::Registry& registry, const std::string& pipeline);

  prometheus::Counter& events_read;          // sluice_source_events_read_total
  prometheus::Counter& events_written;       // sluice_sink_events_written_total
  prometheus::Counter& bytes_written;        // sluice_sink_bytes_written_total (queue bytes of written batches)
  prometheus::Gauge& queue_events;           // sluice_queue_depth_events
  prometheus::Gauge& queue_bytes;            // sluice_queue_depth_bytes
  prometheus::Counter& checkpoints;          // sluice_checkpoints_total
  prometheus::Histogram& checkpoint_seconds; // sluice_checkpoint_duration_seconds
  prometheus::Gauge& last_checkpoint_time;   // sluice_last_checkpoint_timestamp_seconds
  prometheus::Gauge& lag_seconds;            // sluice_replication_lag_seconds
  prometheus::Counter& restarts;             // sluice_pipeline_restarts_total
  prometheus::Counter& errors;               // sluice_pipeline_errors_total
  prometheus::Gauge& running;                // sluice_pipeline_up (1 while source and sink are open)
};

}  // namespace cdc::pipeline
