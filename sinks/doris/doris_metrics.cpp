#include "sinks/doris/doris_metrics.h"

namespace cdc::sinks::doris {

namespace {
prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help,
                             const std::string& p) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"pipeline", p}});
}
prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help,
                         const std::string& p) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({{"pipeline", p}});
}
}  // namespace

DorisMetrics::DorisMetrics(prometheus::Registry& r, const std::string& p)
    : loads(counter(r, "sluice_doris_loads_total", "Stream Loads that succeeded", p)),
      load_failures(counter(r, "sluice_doris_load_failures_total",
                            "Stream Load attempts that failed (retried or not)", p)),
      rows(counter(r, "sluice_doris_rows_total", "Rows in successful Stream Loads", p)),
      bytes(counter(r, "sluice_doris_bytes_total", "JSON bytes of successful Stream Loads", p)),
      load_seconds(prometheus::BuildHistogram()
                       .Name("sluice_doris_load_duration_seconds")
                       .Help("Duration of one Stream Load, redirect included")
                       .Register(r)
                       .Add({{"pipeline", p}},
                            prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.05, 0.1, 0.5, 1,
                                                                    5, 30, 120})),
      commits(counter(r, "sluice_doris_commits_total",
                      "Precommitted loads committed (two-phase commit)", p)),
      precommitted(gauge(r, "sluice_doris_precommitted_loads",
                         "Loads precommitted and not yet committed", p)),
      oldest_precommit(
          gauge(r, "sluice_doris_oldest_precommit_timestamp_seconds",
                "Unix time the oldest uncommitted precommitted load was made; 0 if none", p)),
      aborts(counter(r, "sluice_doris_aborts_total",
                     "Precommitted loads the sink aborted (replaced, truncated, or written off)",
                     p)),
      retries(counter(r, "sluice_doris_retries_total",
                      "Stream Loads and 2PC commits sent again after a failure", p)),
      schema_changes_refused(counter(r, "sluice_doris_schema_changes_refused_total",
                                     "ALTER TABLE statements Doris refused under "
                                     "schema.change.behavior try_evolve",
                                     p)) {}

}  // namespace cdc::sinks::doris
