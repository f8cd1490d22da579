// The MysqlSourceOptions that reach the services' MariaDB as the sluice user (from the env file
// of tools/services.sh), with short timeouts for tests. Callers set server_id, the pipeline
// name and the startup mode.
#pragma once

#include <chrono>

#include "cdc/mysql/mysql_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::testing {

inline mysql::MysqlSourceOptions services_mysql_source_options() {
  mysql::MysqlSourceOptions o;
  o.host = service_value("SLUICE_MARIADB_HOST");
  o.port = static_cast<uint16_t>(service_port("SLUICE_MARIADB_PORT"));
  o.user = service_value("SLUICE_MARIADB_USER");
  o.password = service_value("SLUICE_MARIADB_PASSWORD");
  o.heartbeat_period = std::chrono::milliseconds(1000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

}  // namespace cdc::testing
