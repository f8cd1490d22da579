// DorisMetrics: the Doris sink's Prometheus series, labelled {pipeline}. One instance per
// pipeline, shared by the sink instances the runner creates across restarts; updated on the
// pipeline thread (prometheus-cpp atomics, read by the HTTP thread).
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdc::sinks::doris {

struct DorisMetrics {
  DorisMetrics(prometheus::Registry& registry, const std::string& pipeline);

  prometheus::Counter& loads;           // sluice_doris_loads_total: Stream Loads that succeeded
  prometheus::Counter& load_failures;   // sluice_doris_load_failures_total: attempts that failed
  prometheus::Counter& rows;            // sluice_doris_rows_total: rows in successful loads
  prometheus::Counter& bytes;           // sluice_doris_bytes_total: JSON bytes of those loads
  prometheus::Histogram& load_seconds;  // sluice_doris_load_duration_seconds: one Stream Load
  prometheus::Counter& commits;         // sluice_doris_commits_total: precommitted loads committed
  // sluice_doris_precommitted_loads: loads precommitted and not yet committed (exactly-once).
  prometheus::Gauge& precommitted;
  // sluice_doris_oldest_precommit_timestamp_seconds: when the oldest of them was precommitted
  // (Unix time), 0 when there is none. Doris aborts a load precommitted longer than
  // stream_load_default_precommit_timeout_second (3600 s): the alert watches time() - this.
  prometheus::Gauge& oldest_precommit;
  prometheus::Counter& aborts;   // sluice_doris_aborts_total: precommitted loads the sink aborted
  prometheus::Counter& retries;  // sluice_doris_retries_total: loads and commits sent again
  // sluice_doris_schema_changes_refused_total: ALTER TABLEs Doris refused under try_evolve.
  prometheus::Counter& schema_changes_refused;
};

}  // namespace cdc::sinks::doris
