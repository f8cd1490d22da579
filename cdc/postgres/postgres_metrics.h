// PostgresMetrics: the PostgreSQL source's Prometheus series, labelled {pipeline}. One instance
// per pipeline, shared by the source instances the runner creates across restarts. Updates are
// thread-safe (prometheus-cpp atomics).
#pragma once

#include <string>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace cdc::postgres {

struct PostgresMetrics {
  PostgresMetrics(prometheus::Registry& registry, const std::string& pipeline);

  // sluice_source_slot_lag_bytes: pg_current_wal_lsn() - the slot's confirmed_flush_lsn: the
  // WAL the server keeps for this pipeline (grows without bound on an idle database without
  // heartbeats).
  prometheus::Gauge& slot_lag_bytes;
  // sluice_source_slot_lag_seconds: the walsender's flush_lag (pg_stat_replication): how long
  // ago the newest WAL sluice confirmed was written; 0 when caught up.
  prometheus::Gauge& slot_lag_seconds;
};

}  // namespace cdc::postgres
