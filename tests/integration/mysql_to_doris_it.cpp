// MariaDB → Doris test server (tests/fakes/doris) through `sluice run`: inserts, updates,
// deletes, a large transaction, TRUNCATE and ALTER TABLE ADD/DROP COLUMN mid-stream, with the
// Doris tables compared row by row (through the SQL API) with the source tables; the types and
// keys of auto-created tables; SIGKILLs (some between prepare and commit), BE restarts and
// injected faults with no load committed twice; a second instance fenced; a load aborted by
// the precommit timeout re-sent.

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/doris_compare.h"
#include "tests/integration/doris_process.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "mysql to doris: inserts, updates, deletes, a large transaction, TRUNCATE and ALTER "
    "mid-stream") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dd");
  sql.run("CREATE DATABASE dd");
  sql.run(
      "CREATE TABLE dd.items (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(10,2), at "
      "DATETIME(6), "
      "flag TINYINT(1), big BIGINT UNSIGNED, day DATE, note TEXT, ratio DOUBLE)");
  sql.run("CREATE TABLE dd.big (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(30))");
  DorisProcess doris;
  const std::string dir = make_temp_dir("sluice-doris-e2e");
  const int metrics_port = free_port();
  const std::string config =
      write_doris_config(dir, "dd_e2e", "dd\\..*", doris, 5711, metrics_port);
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  for (int i = 1; i <= 50; ++i) {
    const std::string n = std::to_string(i);
    sql.run("INSERT INTO dd.items VALUES (" + n + ", 'item " + n + "', " + n +
            ".25, '2024-01-02 03:04:05." + n + "', " + std::to_string(i % 2) +
            ", 1844674407370955161" + std::to_string(i % 6) + ", '2024-02-" +
            std::to_string(1 + i % 28) + "', " +
            (i % 3 ? "'text \"" + n + "\"'" : std::string("NULL")) + ", " + n + ".5)");
  }
  sql.run(
      "UPDATE dd.items SET name = CONCAT(name, ' updated'), price = price * 2 WHERE id % 5 = 0");
  sql.run("UPDATE dd.items SET note = NULL, flag = NULL WHERE id BETWEEN 11 AND 14");
  sql.run("DELETE FROM dd.items WHERE id % 7 = 0");
  expect_equal(sql, doris, "dd", "items", "id");
  CHECK(source_rows(sql, "dd", "items", "id").size() == 43);

  // The auto-created table: mapped types, the primary key as the Unique Key. TINYINT(1) comes
  // as TINYINT: the schema here is the binlog TABLE_MAP's, which has no display width
  // ("tinyint(4)"); the BOOLEAN mapping of "tinyint(1)" is unit-tested (type_mapping_test).
  INFO(doris.sql("dd", "SHOW CREATE TABLE items")[0][1].value_or(""));
  CHECK(doris_columns(doris, "dd", "items") ==
        std::vector<std::string>{"id INT true", "name VARCHAR(60) false",
                                 "price DECIMAL(10,2) false", "at DATETIME(6) false",
                                 "flag TINYINT false", "big LARGEINT false", "day DATE false",
                                 "note TEXT false", "ratio DOUBLE false"});
  const auto create = doris.sql("dd", "SHOW CREATE TABLE items");
  REQUIRE(create.size() == 1);
  CHECK(create[0][1]->find("UNIQUE KEY(`id`)") != std::string::npos);
  CHECK(create[0][1]->find("\"enable_unique_key_merge_on_write\" = \"true\"") != std::string::npos);

  // One large transaction (the CI size; SLUICE_DORIS_BIG_ROWS for more).
  const char* big_env = std::getenv("SLUICE_DORIS_BIG_ROWS");
  const int big_rows = big_env != nullptr ? std::atoi(big_env) : 100000;
  sql.run("BEGIN");
  sql.run("INSERT INTO dd.big SELECT seq, seq * 3, CONCAT('pad-', seq) FROM dd.seq_1_to_" +
          std::to_string(big_rows));
  sql.run("UPDATE dd.big SET v = -v WHERE id % 1000 = 0");
  sql.run("DELETE FROM dd.big WHERE id % 999 = 0");
  sql.run("COMMIT");
  expect_equal(sql, doris, "dd", "big", "id", 120s);
  CHECK(doris.sql("dd", "SELECT COUNT(*) FROM big")[0][0] ==
        std::to_string(big_rows - big_rows / 999));

  // TRUNCATE between rows, in one checkpoint and across checkpoints.
  sql.run("INSERT INTO dd.items (id, name) VALUES (1001, 'before truncate')");
  sql.run("TRUNCATE TABLE dd.items");
  sql.run(
      "INSERT INTO dd.items (id, name, price) VALUES (2001, 'after', 1.00), (2002, 'after 2', "
      "2.50)");
  expect_equal(sql, doris, "dd", "items", "id");
  CHECK(source_rows(sql, "dd", "items", "id").size() == 2);

  // ALTER TABLE ADD COLUMN and DROP COLUMN mid-stream.
  sql.run("ALTER TABLE dd.items ADD COLUMN extra INT");
  sql.run("INSERT INTO dd.items (id, name, extra) VALUES (3001, 'with extra', 42)");
  sql.run("UPDATE dd.items SET extra = 7 WHERE id = 2001");
  expect_equal(sql, doris, "dd", "items", "id");
  sql.run("ALTER TABLE dd.items DROP COLUMN note");
  sql.run("INSERT INTO dd.items (id, name, extra) VALUES (3002, 'no note', 43)");
  sql.run("DELETE FROM dd.items WHERE id = 2002");
  expect_equal(sql, doris, "dd", "items", "id");
  const auto cols = doris_columns(doris, "dd", "items");
  CHECK(std::find(cols.begin(), cols.end(), "extra INT false") != cols.end());
  CHECK(std::find(cols.begin(), cols.end(), "note TEXT false") == cols.end());

  // The sink's metrics agree with the server's own count of transactions: every load sluice
  // sent began one, and each was made visible by sluice's commit (or aborted by its TRUNCATE).
  CHECK(sluice.running());
  const std::string metrics =
      http_request("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics").second;
  auto value_of = [&](const std::string& name) {
    return metric_value(metrics, name + "{pipeline=\"dd_e2e\"}");
  };
  CHECK(value_of("sluice_doris_oldest_precommit_timestamp_seconds") == 0);
  CHECK(value_of("sluice_doris_precommitted_loads") == 0);
  CHECK(value_of("sluice_doris_rows_total") >= big_rows);
  CHECK(value_of("sluice_doris_load_failures_total") == 0);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  if (!doris.external()) {
    const std::string stats = doris.control("stats");
    INFO(stats);
    CHECK(stats.find(" precommitted 0 max_commits 1") != std::string::npos);
    std::istringstream in(stats);
    std::string ok, loads_word, visible_word;
    double loads = 0, visible = 0;
    in >> ok >> loads_word >> loads >> visible_word >> visible;
    CHECK(value_of("sluice_doris_loads_total") == loads);
    CHECK(value_of("sluice_doris_commits_total") == visible);
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE(
    "mysql to doris: SIGKILLs, BE restarts and injected faults; Doris equals the table, nothing "
    "committed twice") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dk");
  sql.run("CREATE DATABASE dk");
  sql.run("CREATE TABLE dk.kv (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(10))");
  DorisProcess doris;
  const std::string dir = make_temp_dir("sluice-doris-kill");
  const int metrics_port = free_port();
  // Small loads, several per checkpoint, precommitted until the checkpoint commits: kills land
  // between loads and their commit.
  const std::string config = write_doris_config(dir, "dk", "dk\\..*", doris, 5712, metrics_port,
                                                "  sink.buffer-flush.max-rows: 7\n");
  const char* kills_env = std::getenv("SLUICE_DORIS_KILLS");
  const int rounds = kills_env != nullptr ? std::atoi(kills_env) : 20;
  const char* seed_env = std::getenv("SLUICE_DORIS_SEED");  // to replay a failed run
  const uint64_t seed = seed_env != nullptr ? std::stoull(seed_env) : std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(5, 60), burst(10, 30), id(1, 50), op(0, 9);
  const char* faults[] = {"restart_be",        "fail 1",       "lose 1", "reset 1", "delay 40",
                          "publish_timeout 2", "fail_commit 1"};
  int seq = 0, left_precommitted = 0;
  for (int round = 0; round < rounds; ++round) {
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    REQUIRE(wait_ready(metrics_port, sluice));  // the kill lands while it streams, not at start
    const int count = burst(rng);
    std::jthread writer([&sql, count, &seq, writer_seed = rng()] {
      std::mt19937_64 wr(writer_seed);
      std::uniform_int_distribution<int> wid(1, 50), wop(0, 9);
      for (int t = 0; t < count; ++t) {
        const std::string k = std::to_string(wid(wr));
        const int o = wop(wr);
        ++seq;
        if (o < 6) {
          sql.run("INSERT INTO dk.kv VALUES (" + k + ", " + std::to_string(seq) + ", 's" + k +
                  "') ON DUPLICATE KEY UPDATE v = v + 1, s = IF(s IS NULL, 'x', NULL)");
        } else if (o < 8) {
          sql.run("DELETE FROM dk.kv WHERE id = " + k);
        } else {
          sql.run("UPDATE IGNORE dk.kv SET id = " + std::to_string(wid(wr)) + " WHERE id = " + k);
        }
      }
    });
    // A fault every other round, while the pipeline runs; "delay" slows every reply so that
    // kills land between prepare and commit.
    if (round % 2 == 1)
      REQUIRE(doris.control(faults[(round / 2) % std::size(faults)]).starts_with("ok"));
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    REQUIRE(sluice.running());
    sluice.signal(SIGKILL);
    REQUIRE(sluice.wait(10s) == 128 + SIGKILL);
    // A kill after a load and before its commit leaves it PRECOMMITTED for the next start.
    const std::string stats = doris.control("stats");
    if (stats.find(" precommitted 0 ") == std::string::npos) ++left_precommitted;
    writer.join();
    REQUIRE(doris.control("delay 0") == "ok");
  }
  MESSAGE(rounds << " kills, " << left_precommitted
                 << " with loads precommitted and not committed");
  if (rounds >= 20) CHECK(left_precommitted >= 5);
  ChildProcess last({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  expect_equal(sql, doris, "dk", "kv", "id", 60s);
  CHECK(source_rows(sql, "dk", "kv", "id").size() > 5);
  std::this_thread::sleep_for(300ms);
  CHECK(last.running());  // no label collision loop: it caught up and keeps running
  last.signal(SIGTERM);
  CHECK(last.wait(20s) == 0);
  const std::string stats = doris.control("stats");
  const std::string err_log = read_file(dir + "/stderr.log");
  INFO(stats << "\n" << err_log.substr(err_log.size() > 6000 ? err_log.size() - 6000 : 0));
  CHECK(stats.find(" precommitted 0 max_commits 1") != std::string::npos);
  CHECK(err_log.find("another sluice process") == std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE(
    "mysql to doris: a second instance of the pipeline cannot commit the first's labels and "
    "stops") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS df");
  sql.run("CREATE DATABASE df");
  sql.run("CREATE TABLE df.kv (id INT PRIMARY KEY, v INT NOT NULL)");
  DorisProcess doris;
  const std::string dir_a = make_temp_dir("sluice-doris-fence-a");
  const std::string dir_b = make_temp_dir("sluice-doris-fence-b");
  const int port_a = free_port(), port_b = free_port();
  // Same pipeline name and Doris, its own state dir (another host, say) and replica id.
  const std::string config_a = write_doris_config(dir_a, "fenced", "df\\..*", doris, 5721, port_a);
  const std::string config_b = write_doris_config(dir_b, "fenced", "df\\..*", doris, 5722, port_b);
  ChildProcess a({sluice_binary(), "run", config_a}, dir_a + "/stdout.log", dir_a + "/stderr.log");
  REQUIRE(wait_ready(port_a, a));
  for (int i = 1; i <= 30; ++i) {
    sql.run("INSERT INTO df.kv VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
    std::this_thread::sleep_for(20ms);  // spread over many checkpoints
  }
  expect_equal(sql, doris, "df", "kv", "id");
  ChildProcess b({sluice_binary(), "run", config_b}, dir_b + "/stdout.log", dir_b + "/stderr.log");
  REQUIRE(wait_ready(port_b, b));
  for (int i = 31; i <= 60; ++i) {
    sql.run("INSERT INTO df.kv VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
    std::this_thread::sleep_for(20ms);
  }
  // B's first labels are ones A committed long ago: B stops, fenced, and does not retry.
  REQUIRE(b.wait(20s) == 1);
  const std::string log_b = read_file(dir_b + "/stderr.log");
  INFO(log_b);
  CHECK(log_b.find("another sluice process is running pipeline 'fenced'") != std::string::npos);
  CHECK(log_b.find("restarting from the last checkpoint") == std::string::npos);
  expect_equal(sql, doris, "df", "kv", "id");
  CHECK(a.running());
  a.signal(SIGTERM);
  CHECK(a.wait(20s) == 0);
  if (!doris.external()) CHECK(doris.control("stats").find(" max_commits 1") != std::string::npos);
  std::system(("rm -rf '" + dir_a + "' '" + dir_b + "'").c_str());
}

TEST_CASE("mysql to doris: a load aborted by the precommit timeout is re-sent and arrives") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dp");
  sql.run("CREATE DATABASE dp");
  sql.run("CREATE TABLE dp.kv (id INT PRIMARY KEY, v INT NOT NULL)");
  DorisProcess doris({"--precommit-timeout-ms", "1500"});
  const std::string dir = make_temp_dir("sluice-doris-precommit");
  const int metrics_port = free_port();
  const std::string config = write_doris_config(dir, "dp", "dp\\..*", doris, 5731, metrics_port);
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));
  sql.run("INSERT INTO dp.kv VALUES (1, 1), (2, 2)");
  expect_equal(sql, doris, "dp", "kv", "id");
  // Every commit fails until the precommitted load is older than the precommit timeout.
  REQUIRE(doris.control("fail_commit 1000000") == "ok");
  sql.run("INSERT INTO dp.kv VALUES (3, 3)");
  sql.run("UPDATE dp.kv SET v = 20 WHERE id = 2");
  // The server aborts the load at sluice's first request after the timeout (a retried commit).
  REQUIRE(eventually([&] { return doris.stat("aborted") > 0; }, 30s, 50ms));
  CHECK(doris.sql("dp", "SELECT COUNT(*) FROM kv")[0][0] == "2");  // not visible: never committed
  REQUIRE(doris.control("fail_commit 0") == "ok");
  expect_equal(sql, doris, "dp", "kv", "id");
  const std::string log = read_file(dir + "/stderr.log");
  INFO(log.substr(0, 4000));
  CHECK(log.find("is ABORTED in Doris: resending from the checkpoint before it") !=
        std::string::npos);
  const std::string stats = doris.control("stats");
  CHECK(stats.find(" aborted 0 ") == std::string::npos);
  CHECK(stats.find(" max_commits 1") != std::string::npos);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE(
    "mysql to doris through network faults before the FE and the BE: Doris equals the table, "
    "nothing committed twice") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dn");
  sql.run("CREATE DATABASE dn");
  sql.run("CREATE TABLE dn.kv (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(200))");
  // The FE redirects loads to the BE proxy's port, so the FE requests (2PC, load states, SQL)
  // and the Stream Load bodies each cross a proxy of their own.
  const int be_port = free_port();
  FaultProxy be_proxy(be_port);
  DorisProcess doris({"--be-port", std::to_string(be_port), "--advertised-be-port",
                      std::to_string(be_proxy.port())});
  FaultProxy fe_proxy(doris.fe_port());
  const std::string dir = make_temp_dir("sluice-doris-faults");
  const int metrics_port = free_port();
  const std::string config =
      write_doris_config(dir, "dn", "dn\\..*", doris, 5713, metrics_port,
                         "  sink.buffer-flush.max-rows: 20\n", fe_proxy.port());
  INFO("sluice log: " << dir << "/stderr.log, server log: " << doris.log());
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  int seq = 0;
  const auto write = [&](int count) {
    for (int t = 0; t < count; ++t) {
      const std::string k = std::to_string(++seq % 60 + 1);
      sql.run("INSERT INTO dn.kv VALUES (" + k + ", " + std::to_string(seq) + ", REPEAT('p', " +
              std::to_string(100 + seq % 100) + ")) ON DUPLICATE KEY UPDATE v = " +
              std::to_string(seq) + ", pad = REPEAT('q', " + std::to_string(seq % 150) + ")");
      if (seq % 9 == 0) sql.run("DELETE FROM dn.kv WHERE id = " + std::to_string(seq % 31 + 1));
    }
  };
  // Requests the sink retried and pipeline restarts, as its log tells.
  const auto restarts = [&] {
    const std::string log = read_file(dir + "/stderr.log");
    size_t n = 0;
    for (const char* what : {"; retrying", "restarting from the last checkpoint"}) {
      for (size_t at = 0; (at = log.find(what, at)) != std::string::npos; ++at) ++n;
    }
    return n;
  };
  // `breaks`: the fault must have failed a request (retried by the sink or the pipeline).
  const auto under_fault = [&](const char* what, const std::function<void()>& inject,
                               bool breaks = true) {
    INFO("fault: " << what);
    const size_t restarts_before = restarts();
    const uint64_t fe_before = fe_proxy.accepted(), be_before = be_proxy.accepted();
    write(10);
    inject();
    write(40);
    // A fault that must break a request is held until one broke (at most 20 s): when the loads
    // and the 2PC commits cross the proxies depends on the machine's speed (a fresh clone once
    // cleared "FE answers cut" before any FE request was made).
    for (auto until = std::chrono::steady_clock::now() + 20s;
         breaks && restarts() == restarts_before && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(300ms);  // let the fault meet the loads
    fe_proxy.clear_faults();
    be_proxy.clear_faults();
    expect_equal(sql, doris, "dn", "kv", "id", 40s);
    MESSAGE(std::string(what) << ": new connections FE " << fe_proxy.accepted() - fe_before
                              << ", BE " << be_proxy.accepted() - be_before << ", retries "
                              << restarts() - restarts_before);
    if (breaks) CHECK(restarts() > restarts_before);
  };
  under_fault(
      "latency on both",
      [&] {
        fe_proxy.set_latency(20ms);
        be_proxy.set_latency(20ms);
      },
      false);
  under_fault("Stream Load bodies cut",
              [&] { be_proxy.cut_after(FaultProxy::Direction::to_server, 400, true); });
  under_fault("Stream Load answers cut",
              [&] { be_proxy.cut_after(FaultProxy::Direction::to_client, 30, true); });
  under_fault("FE requests cut (the 307, 2PC commits, load states)",
              [&] { fe_proxy.cut_after(FaultProxy::Direction::to_server, 100, true); });
  under_fault("FE answers cut",
              [&] { fe_proxy.cut_after(FaultProxy::Direction::to_client, 30, true); });
  // The FE's connections last one request and the BE's is idle between loads: a reset or a
  // half-open meets a kept-alive connection, which libcurl replaces without an error.
  under_fault(
      "resets",
      [&] {
        fe_proxy.reset_all();
        be_proxy.reset_all();
      },
      false);
  under_fault(
      "half-open BE", [&] { be_proxy.half_open(FaultProxy::Direction::to_client); }, false);
  under_fault("both proxies restart", [&] {
    fe_proxy.stop();
    be_proxy.stop();
    std::this_thread::sleep_for(700ms);
    fe_proxy.start();
    be_proxy.start();
  });
  CHECK(source_rows(sql, "dn", "kv", "id").size() > 20);
  std::this_thread::sleep_for(300ms);
  CHECK(sluice.running());
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  const std::string stats = doris.control("stats");
  INFO(stats);
  CHECK(stats.find(" max_commits 1") != std::string::npos);  // no load committed twice
  std::system(("rm -rf '" + dir + "'").c_str());
}
