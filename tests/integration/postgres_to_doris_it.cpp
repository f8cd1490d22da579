// PostgreSQL → Doris test server through `sluice run`: an update that leaves a TOASTed value
// unchanged (pgoutput sends no value for it) is loaded as a partial column update, so that
// Doris keeps the value it has instead of writing NULL; the table ends equal to PostgreSQL's.

#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/integration/doris_process.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/postgres_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

TEST_CASE("postgres to doris: an unchanged TOAST value is kept by a partial column update") {
  PgSession su(PgSession::As::superuser);
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
      "'pg_doris'");
  // Made FOR TABLE pgd.docs by sluice; a dropped table leaves it, so each run makes it anew.
  su.run("DROP PUBLICATION IF EXISTS sluice_pg_doris");
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgd");
  sql.run("DROP TABLE IF EXISTS pgd.docs");
  sql.run("CREATE TABLE pgd.docs (id bigint PRIMARY KEY, big text, n bigint NOT NULL)");
  // EXTERNAL: stored out of line uncompressed, so a 20 kB value is TOASTed for sure.
  sql.run("ALTER TABLE pgd.docs ALTER COLUMN big SET STORAGE EXTERNAL");
  DorisProcess doris;
  const std::string dir = make_temp_dir("sluice-pg-doris");
  const int port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml(
                               service_value("SLUICE_PG_DATABASE") + "\\.pgd\\.docs", "pg_doris",
                               "  status.interval: 100ms\n")
                        << "sink:\n  type: doris\n  fenodes: 127.0.0.1:" << doris.fe_port()
                        << "\n  password: '" << doris.password()
                        << "'\n  sink.sequence-column: source-position\n"
                        << "pipeline:\n  name: pg_doris\n  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 60ms\n  metrics.port: " << port << "\n";
  INFO("sluice log " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(port, sluice));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_doris' AND "
                   "active") != "1" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  sql.run("INSERT INTO pgd.docs VALUES (1, repeat('x', 20000), 1), (2, repeat('y', 20000), 1)");
  sql.run("UPDATE pgd.docs SET n = 2 WHERE id = 1");  // big: unchanged TOAST, no value sent
  sql.run("UPDATE pgd.docs SET n = 3, big = 'small' WHERE id = 2");
  sql.run("UPDATE pgd.docs SET n = n + 10");  // id 1 unchanged TOAST again, id 2 inline
  sql.run("INSERT INTO pgd.docs VALUES (3, NULL, 7)");
  sql.run("UPDATE pgd.docs SET n = 8 WHERE id = 3");
  sql.run("DELETE FROM pgd.docs WHERE id = 2");
  const auto expected = sql.query("SELECT id, big, n FROM pgd.docs ORDER BY id");
  REQUIRE(expected.size() == 2);
  std::optional<SqlRows> got;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until) {
    got = doris.try_sql("pgd", "SELECT id, big, n FROM docs ORDER BY id");
    if (got && *got == expected) break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(got.has_value());
  CHECK(got->size() == 2);
  CHECK(*got == expected);
  CHECK((*got)[0][1] == std::string(20000, 'x'));  // kept through two partial updates
  CHECK(sluice.running());
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  CHECK(doris.stat("max_commits") == 1);
  su.run("SELECT pg_drop_replication_slot('pg_doris')");
  su.run("DROP PUBLICATION sluice_pg_doris");
  std::system(("rm -rf '" + dir + "'").c_str());
}
