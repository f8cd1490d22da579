// What the MariaDB → Doris tests share: a pipeline file for the Doris sink, and the comparison
// of a MariaDB table with its Doris copy row by row (Doris read through the SQL API).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/doris_process.h"
#include "tests/support/mariadb_client.h"

namespace cdc::testing {

// <dir>/pipeline.yaml: the MySQL source on `tables` (latest-offset) into `doris` (or the FE
// port `fe_port`, a proxy), checkpoints every 60 ms; `extra_sink` lines go into the sink
// section, `source_tail` replaces the source's `scan.startup.mode: latest-offset` line.
std::string write_doris_config(const std::string& dir, const std::string& name,
                               const std::string& tables, DorisProcess& doris, int server_id,
                               int metrics_port, const std::string& extra_sink = "",
                               int fe_port = 0, const std::string& source_tail = "");

std::vector<std::string> columns_of(MariaDbSession& sql, const std::string& db,
                                    const std::string& table);
// Every row of db.table, ordered by `key`, as MariaDB has it and as Doris has it (nullopt: Doris
// has no such table yet).
SqlRows source_rows(MariaDbSession& sql, const std::string& db, const std::string& table,
                    const std::string& key);
std::optional<SqlRows> doris_rows(MariaDbSession& sql, DorisProcess& doris, const std::string& db,
                                  const std::string& table, const std::string& key);
// Waits until Doris equals the source (at most `limit`), then CHECKs that it does.
void expect_equal(MariaDbSession& sql, DorisProcess& doris, const std::string& db,
                  const std::string& table, const std::string& key,
                  std::chrono::seconds limit = std::chrono::seconds(30));
// "<name> <type> <key>" per Doris column (DESC).
std::vector<std::string> doris_columns(DorisProcess& doris, const std::string& db,
                                       const std::string& table);

}  // namespace cdc::testing
