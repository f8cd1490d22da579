#include "cdc/pipeline/pipeline_metrics.h"

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
    : events_read(counter(r, "sluice_source_events_read_total", "Change events read from the source", p)),
      bytes_written(counter(r, "sluice_sink_bytes_written_total", "In-memory bytes of batches handed to the sink", p)),
      queue_events(gauge(r, "sluice_queue_depth_events", "Events waiting between source and sink", p)),
      queue_bytes(gauge(r, "sluice_queue_depth_bytes", "Bytes waiting between source and sink", p)),
      checkpoints(counter(r, "sluice_checkpoints_total", "Checkpoints committed", p)),
      checkpoint_seconds(prometheus::BuildHistogram()
                             .Name("sluice_checkpoint_duration_seconds")
                             .Help("Time from sink prepare to commit of a checkpoint")
                             .Register(r)
                             .Add({{"pipeline", p}},
                                  prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1,
                                                                          0.5, 1, 5, 10})),
      last_checkpoint_time(gauge(r, "sluice_last_checkpoint_timestamp_seconds",
                                 "Unix time of the last committed checkpoint", p)),
      lag_seconds(gauge(r, "sluice_replication_lag_seconds",
                        "Now minus the source commit time of the last written event", p)),
      restarts(counter(r, "sluice_pipeline_restarts_total", "Restarts after a retryable failure", p)),
      errors(counter(r, "sluice_pipeline_errors_total", "Failures of the pipeline (retried or not)", p)),
      running(gauge(r, "sluice_pipeline_up", "1 while the pipeline's source and sink are open", p)),
      pipeline_(p),
      events_written_(prometheus::BuildCounter()
                          .Name("sluice_sink_events_written_total")
                          .Help("Change events handed to the sink, by table and op")
                          .Register(r)) {}

void PipelineMetrics::count_written(const Batch& batch) {
  // Events come in runs of one table and op: one lookup per run, not per event.
  const auto& events = batch.events;
  for (size_t i = 0; i < events.size();) {
    size_t j = i + 1;
    while (j < events.size() && events[j].schema == events[i].schema && events[j].op == events[i].op) ++j;
    const std::string table = events[i].schema ? events[i].schema->id.to_string() : std::string();
    const char op = op_code(events[i].op);
    auto [it, added] = written_by_table_.try_emplace({table, op}, nullptr);
    if (added) {
      it->second = &events_written_.Add({{"pipeline", pipeline_}, {"table", table}, {"op", std::string(1, op)}});
    }
    it->second->Increment(static_cast<double>(j - i));
    i = j;
  }
}

}  // namespace cdc::pipeline
