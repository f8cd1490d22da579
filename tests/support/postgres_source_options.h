// PostgresSourceOptions for the PostgreSQL of tools/services.sh (from the services env file):
// the connection, a slot, the captured tables, and quick status updates without heartbeats, so
// that integration tests see the slot confirmed in fractions of a second. Header-only, as
// mysql_source_options.h: cdc_test_support does not link cdc_postgres.
#pragma once

#include <chrono>
#include <string>

#include "cdc/postgres/postgres_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::testing {

// `table_regex` is matched after "<database>\." (schema.table).
inline postgres::PostgresSourceOptions services_postgres_source_options(
    const std::string& table_regex, std::string slot, std::string pipeline_name) {
  postgres::PostgresSourceOptions o;
  o.host = service_value("SLUICE_PG_HOST");
  o.port = static_cast<uint16_t>(service_port("SLUICE_PG_PORT"));
  o.user = service_value("SLUICE_PG_USER");
  o.password = service_value("SLUICE_PG_PASSWORD");
  o.database = service_value("SLUICE_PG_DATABASE");
  o.table_include = {o.database + "\\." + table_regex};
  o.slot_name = std::move(slot);
  o.pipeline_name = std::move(pipeline_name);
  o.status_interval = std::chrono::milliseconds(200);
  o.heartbeat_interval = std::chrono::milliseconds(0);
  return o;
}

}  // namespace cdc::testing
