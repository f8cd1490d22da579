#include "sinks/doris/doris_metrics.h"

namespace cdc::sinks::doris {

namespace {
prometheus::Family<prometheus::Counter>& counters(prometheus::Registry& r, const char* name,
                                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
}  // namespace

DorisMetrics::DorisMetrics(prometheus::Registry& r, const std::string& p)
    : loads_loaded(counters(r, "sluice_doris_loads_total", "Stream Loads answered, by result")
                       .Add({{"pipeline", p}, {"result", "loaded"}})),
      loads_failed(counters(r, "sluice_doris_loads_total", "Stream Loads answered, by result")
                       .Add({{"pipeline", p}, {"result", "failed"}})),
      rows(counters(r, "sluice_doris_rows_total", "Rows in Stream Loads that succeeded")
               .Add({{"pipeline", p}})),
      bytes(counters(r, "sluice_doris_bytes_total", "Body bytes of Stream Loads that succeeded")
                .Add({{"pipeline", p}})),
      load_seconds(prometheus::BuildHistogram()
                       .Name("sluice_doris_load_duration_seconds")
                       .Help("Time of one Stream Load, from the request to Doris's answer")
                       .Register(r)
                       .Add({{"pipeline", p}},
                            prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.05, 0.1, 0.5, 1,
                                                                    5, 10, 30, 60})),
      committed(counters(r, "sluice_doris_transactions_total",
                         "Two-phase commits and aborts of precommitted loads, by result")
                    .Add({{"pipeline", p}, {"result", "committed"}})),
      aborted(counters(r, "sluice_doris_transactions_total",
                       "Two-phase commits and aborts of precommitted loads, by result")
                  .Add({{"pipeline", p}, {"result", "aborted"}})),
      retries(counters(r, "sluice_doris_retries_total", "Stream Loads and commits sent again")
                  .Add({{"pipeline", p}})),
      oldest_precommitted(
          prometheus::BuildGauge()
              .Name("sluice_doris_oldest_precommitted_timestamp_seconds")
              .Help("When the oldest load precommitted and not yet committed was sent (Unix "
                    "seconds); 0 when there is none")
              .Register(r)
              .Add({{"pipeline", p}})) {}

}  // namespace cdc::sinks::doris
