// MysqlMetrics: the MySQL source's Prometheus series of a `hostname` list, labelled {pipeline}.
// One instance per pipeline, shared by the source instances the runner creates across restarts.
// Updates are thread-safe (prometheus-cpp atomics).
#pragma once

#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "cdc/mysql/server_list.h"

namespace cdc::mysql {

struct MysqlMetrics {
  // `servers`: the `hostname` list, each a series of sluice_source_server_connected.
  MysqlMetrics(prometheus::Registry& registry, const std::string& pipeline,
               const std::vector<ServerAddress>& servers);

  // Marks server `index` of the list as the one read from, the others as not.
  void set_connected(size_t index);

  // sluice_source_failovers_total: moves to another server of the hostname list.
  prometheus::Counter& failovers;
  // sluice_source_server_connected{server}: 1 for the server the source reads from, 0 for the
  // other servers of the list; in list order.
  std::vector<prometheus::Gauge*> connected;
};

}  // namespace cdc::mysql
