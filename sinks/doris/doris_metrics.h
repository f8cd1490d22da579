// DorisMetrics: the Doris sink's Prometheus series, labelled {pipeline}. One instance per
// pipeline, shared by the sink instances the runner creates across restarts. Updates are
// thread-safe (prometheus-cpp atomics).
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdc::sinks::doris {

struct DorisMetrics {
  DorisMetrics(prometheus::Registry& registry, const std::string& pipeline);

  // sluice_doris_loads_total{result}: Stream Loads answered, by outcome: "loaded" (Success or
  // Publish Timeout; with 2PC precommitted), "failed" (an error answer or no answer).
  prometheus::Counter& loads_loaded;
  prometheus::Counter& loads_failed;
  prometheus::Counter& rows;   // sluice_doris_rows_total: rows in loads that succeeded
  prometheus::Counter& bytes;  // sluice_doris_bytes_total: body bytes of loads that succeeded
  prometheus::Histogram& load_seconds;  // sluice_doris_load_duration_seconds: one Stream Load
  // sluice_doris_transactions_total{result}: 2PC commits and aborts of precommitted loads.
  prometheus::Counter& committed;
  prometheus::Counter& aborted;
  prometheus::Counter& retries;  // sluice_doris_retries_total: loads and commits sent again
  // sluice_doris_oldest_precommitted_timestamp_seconds: when the oldest load precommitted and
  // not yet committed was sent (Unix seconds), 0 when there is none. Doris aborts a
  // precommitted load after stream_load_default_precommit_timeout_second (3600 s by default):
  // time() minus this nearing it means checkpoints are not completing.
  prometheus::Gauge& oldest_precommitted;
};

}  // namespace cdc::sinks::doris
