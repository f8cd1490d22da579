// The Doris test server killed with SIGKILL while sluice writes, and restarted on the same
// data dir (--data-dir): committed loads survive, precommitted ones are still committable,
// and sluice carries on. The Doris tables end equal to MariaDB's (an append-only table shows
// any lost load, an upserted one any load applied twice or out of order), and no load was
// made visible twice (issues 17 and 19).

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/integration/doris_compare.h"
#include "tests/integration/doris_process.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "doris test server killed mid-write and restarted on its data dir: Doris equals the tables, "
    "no load committed twice") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dkd");
  sql.run("CREATE DATABASE dkd");
  sql.run("CREATE TABLE dkd.kv (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(10))");
  sql.run("CREATE TABLE dkd.log (id INT PRIMARY KEY, v INT NOT NULL)");
  const std::string data = make_temp_dir("sluice-doris-data");
  DorisProcess doris({"--data-dir", data});
  const std::string dir = make_temp_dir("sluice-doris-server-kill");
  const int metrics_port = free_port();
  // Small loads, several per checkpoint: kills land between a load and its commit too.
  const std::string config = write_doris_config(dir, "dkd", "dkd\\..*", doris, 5751, metrics_port,
                                                "  sink.buffer-flush.max-rows: 7\n");
  const char* seed_env = std::getenv("SLUICE_DORIS_SEED");  // to replay a failed run
  const uint64_t seed = seed_env != nullptr ? std::stoull(seed_env) : std::random_device{}();
  INFO("random seed " << seed << ", sluice log " << dir << "/stderr.log, server log "
                      << doris.log());
  std::mt19937_64 rng(seed);
  // SLUICE_DORIS_SERVER_KILLS: the on-demand loop (issue 19 asks for 100); 5 by default.
  const char* kills_env = std::getenv("SLUICE_DORIS_SERVER_KILLS");
  const int rounds = kills_env != nullptr ? std::max(1, std::atoi(kills_env)) : 5;
  const int statements = std::max(5000, 1000 * rounds);
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::jthread writer([&sql, &stop, &written, statements, writer_seed = rng()] {
    std::mt19937_64 wr(writer_seed);
    std::uniform_int_distribution<int> key(1, 40), op(0, 9);
    // Bounded: at most `statements`, whatever the kills do.
    for (int n = 1; n <= statements && !stop; ++n) {
      const std::string k = std::to_string(key(wr));
      const int o = op(wr);
      sql.run("INSERT INTO dkd.log VALUES (" + std::to_string(n) + ", " + std::to_string(o) + ")");
      if (o < 6) {
        sql.run("INSERT INTO dkd.kv VALUES (" + k + ", " + std::to_string(n) + ", 's" + k +
                "') ON DUPLICATE KEY UPDATE v = v + 1, s = IF(s IS NULL, 'x', NULL)");
      } else if (o < 8) {
        sql.run("DELETE FROM dkd.kv WHERE id = " + k);
      } else {
        sql.run("UPDATE IGNORE dkd.kv SET id = " + std::to_string(key(wr)) + " WHERE id = " + k);
      }
      written = n;
    }
  });
  std::uniform_int_distribution<int> down_ms(20, 400);
  int kills = 0, with_precommitted = 0;
  for (int round = 0; round < rounds; ++round) {
    // Kill while sluice loads: after the server has begun at least three more loads.
    const long loads = doris.stat("loads");
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (doris.stat("loads") < loads + 3 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(2ms);
    }
    REQUIRE(doris.stat("loads") >= loads + 3);
    if (doris.stat("precommitted") > 0) ++with_precommitted;
    doris.kill();
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(down_ms(rng)));
    doris.restart();
  }
  stop = true;
  writer.join();
  MESSAGE(kills << " kills of the Doris test server, " << with_precommitted
                << " with loads precommitted just before; " << written.load() << " statements");
  expect_equal(sql, doris, "dkd", "log", "id", 90s);
  expect_equal(sql, doris, "dkd", "kv", "id", 30s);
  CHECK(source_rows(sql, "dkd", "log", "id").size() == static_cast<size_t>(written.load()));
  CHECK(sluice.running());  // no label collision loop: it caught up and keeps running
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  const std::string log = read_file(dir + "/stderr.log");
  CHECK(log.find("another sluice process") == std::string::npos);
  CHECK(doris.stat("precommitted") == 0);
  CHECK(doris.stat("max_commits") == 1);  // across the restarts: counted from the journal
  std::system(("rm -rf '" + dir + "' '" + data + "'").c_str());
}
