#include "cdc/mysql/mysql_metrics.h"

namespace cdc::mysql {

MysqlMetrics::MysqlMetrics(prometheus::Registry& r, const std::string& pipeline,
                           const std::vector<ServerAddress>& servers)
    : failovers(prometheus::BuildCounter()
                    .Name("sluice_source_failovers_total")
                    .Help("Moves of the MySQL source to another server of its hostname list")
                    .Register(r)
                    .Add({{"pipeline", pipeline}})) {
  auto& family = prometheus::BuildGauge()
                     .Name("sluice_source_server_connected")
                     .Help(
                         "1 for the server of the hostname list the MySQL source reads from, "
                         "0 for the others")
                     .Register(r);
  for (const ServerAddress& server : servers) {
    connected.push_back(&family.Add({{"pipeline", pipeline}, {"server", server.to_string()}}));
  }
}

void MysqlMetrics::set_connected(size_t index) {
  for (size_t i = 0; i < connected.size(); ++i) connected[i]->Set(i == index ? 1 : 0);
}

}  // namespace cdc::mysql
