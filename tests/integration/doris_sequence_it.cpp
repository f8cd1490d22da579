// sink.sequence-column: source-position through `sluice run`, MariaDB → Doris test server. A
// second pipeline that replays the binlog from before the first one's changes sends every
// older version of every row again; Doris's sequence column keeps each of them out, so the
// table never shows an older version and the server counts exactly the rows it kept out. A
// table without a sequence column is refused, as Doris refuses it.

#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "tests/integration/doris_compare.h"
#include "tests/integration/doris_process.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSequence = "  sink.sequence-column: source-position\n";

}  // namespace

TEST_CASE(
    "doris sequence column: a replay from an older binlog position never brings back an older "
    "version of a row") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS ds");
  sql.run("CREATE DATABASE ds");
  sql.run("CREATE TABLE ds.kv (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))");
  const auto status = sql.query("SHOW MASTER STATUS");
  REQUIRE(status.size() == 1);
  const std::string start_file = *status[0][0], start_pos = *status[0][1];
  DorisProcess doris;
  const std::string dir_a = make_temp_dir("sluice-doris-seq-a");
  const std::string dir_b = make_temp_dir("sluice-doris-seq-b");
  const int port_a = free_port(), port_b = free_port();
  ChildProcess a({sluice_binary(), "run",
                  write_doris_config(dir_a, "ds_a", "ds\\..*", doris, 5741, port_a, kSequence)},
                 dir_a + "/stdout.log", dir_a + "/stderr.log");
  REQUIRE(wait_ready(port_a, a));
  // 30 keys, 4 versions each (an insert, three updates), 6 of them deleted, key 1 moved to 101:
  // 128 row changes of 31 keys (the move is a delete of 1 and a row of 101, at one position).
  for (int i = 1; i <= 30; ++i) {
    sql.run("INSERT INTO ds.kv VALUES (" + std::to_string(i) + ", 0, 'v0')");
  }
  for (int round = 1; round <= 3; ++round) {
    sql.run("UPDATE ds.kv SET v = v + " + std::to_string(round) + ", s = 'v" +
            std::to_string(round) + "'");
  }
  sql.run("DELETE FROM ds.kv WHERE id % 5 = 0");
  sql.run("UPDATE ds.kv SET id = 101 WHERE id = 1");
  expect_equal(sql, doris, "ds", "kv", "id");
  const SqlRows final_rows = source_rows(sql, "ds", "kv", "id");
  REQUIRE(final_rows.size() == 24);
  const auto create = doris.sql("ds", "SHOW CREATE TABLE kv");
  CHECK(create[0][1]->find("\"function_column.sequence_type\" = \"largeint\"") !=
        std::string::npos);
  CHECK(doris.stat("sequence_kept") == 0);  // A's own loads arrive in order
  a.signal(SIGTERM);
  REQUIRE(a.wait(20s) == 0);

  // B: another pipeline (its own state and labels) from the position before all of that.
  ChildProcess b({sluice_binary(), "run",
                  write_doris_config(dir_b, "ds_b", "ds\\..*", doris, 5742, port_b, kSequence, 0,
                                     "  scan.startup.mode: specific-offset\n"
                                     "  scan.startup.specific-offset.file: " +
                                         start_file + "\n  scan.startup.specific-offset.pos: " +
                                         start_pos + "\n")},
                 dir_b + "/stdout.log", dir_b + "/stderr.log");
  REQUIRE(wait_ready(port_b, b));
  // A marker after the replayed changes: when it is in Doris, B has sent all of them.
  sql.run("INSERT INTO ds.kv VALUES (1000, 1000, 'marker')");
  int polls = 0, older = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    auto rows = doris.sql("ds", "SELECT id, v, s FROM kv ORDER BY id");
    ++polls;
    const bool marker = !rows.empty() && rows.back()[0] == "1000";
    if (marker) rows.pop_back();
    if (rows != final_rows) ++older;
    if (marker || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(5ms);
  }
  MESSAGE(polls << " reads of the table during the replay");
  CHECK(older == 0);
  expect_equal(sql, doris, "ds", "kv", "id");
  // Every replayed change but the last of each key was older than the stored row: 128 - 31.
  CHECK(doris.stat("sequence_kept") == 97);
  CHECK(b.running());
  b.signal(SIGTERM);
  CHECK(b.wait(20s) == 0);
  CHECK(doris.stat("max_commits") == 1);
  std::system(("rm -rf '" + dir_a + "' '" + dir_b + "'").c_str());
}

TEST_CASE("doris sequence column: a table without one is refused with Doris's message") {
  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS dq");
  sql.run("CREATE DATABASE dq");
  sql.run("CREATE TABLE dq.kv (id INT PRIMARY KEY, v INT NOT NULL)");
  DorisProcess doris;
  doris.sql("information_schema", "CREATE DATABASE dq");
  doris.sql("dq",
            "CREATE TABLE kv (id INT NOT NULL, v INT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY "
            "HASH(id) BUCKETS 1");
  const std::string dir = make_temp_dir("sluice-doris-seq-none");
  const int port = free_port();
  ChildProcess p({sluice_binary(), "run",
                  write_doris_config(dir, "dq", "dq\\..*", doris, 5743, port, kSequence)},
                 dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(port, p));
  sql.run("INSERT INTO dq.kv VALUES (1, 1)");
  CHECK(p.wait(30s) != 0);
  const std::string log = read_file(dir + "/stderr.log");
  INFO(log);
  CHECK(log.find("There is no sequence column in the table kv") != std::string::npos);
  CHECK(doris.sql("dq", "SELECT COUNT(*) FROM kv")[0][0] == "0");
  std::system(("rm -rf '" + dir + "'").c_str());
}
