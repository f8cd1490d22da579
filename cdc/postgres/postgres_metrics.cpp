#include "cdc/postgres/postgres_metrics.h"

namespace cdc::postgres {

namespace {
prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help,
                         const std::string& pipeline) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({{"pipeline", pipeline}});
}
}  // namespace

PostgresMetrics::PostgresMetrics(prometheus::Registry& r, const std::string& p)
    : slot_lag_bytes(gauge(r, "sluice_source_slot_lag_bytes",
                           "WAL bytes the server retains for the pipeline's replication slot "
                           "(pg_current_wal_lsn() - confirmed_flush_lsn)",
                           p)),
      slot_lag_seconds(gauge(r, "sluice_source_slot_lag_seconds",
                             "The slot's walsender flush_lag in seconds (0 when caught up)", p)) {}

}  // namespace cdc::postgres
