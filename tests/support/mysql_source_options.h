// MysqlSourceOptions for the MariaDB of tools/services.sh (from the services env file), with
// short heartbeat and connect timeouts so integration tests notice problems in seconds.
// Header-only: cdc_test_support does not link cdc_mysql.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "cdc/mysql/mysql_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::testing {

inline mysql::MysqlSourceOptions services_mysql_source_options(uint32_t server_id,
                                                               std::string pipeline_name) {
  mysql::MysqlSourceOptions o;
  o.host = service_value("SLUICE_MARIADB_HOST");
  o.port = static_cast<uint16_t>(service_port("SLUICE_MARIADB_PORT"));
  o.user = service_value("SLUICE_MARIADB_USER");
  o.password = service_value("SLUICE_MARIADB_PASSWORD");
  o.server_id = {server_id, server_id};
  o.startup_mode = mysql::StartupMode::latest_offset;
  o.pipeline_name = std::move(pipeline_name);
  o.heartbeat_period = std::chrono::milliseconds(1000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

}  // namespace cdc::testing
