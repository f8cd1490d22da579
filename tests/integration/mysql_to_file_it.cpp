// End to end and exactly once: MariaDB → sluice → file sink while the replication
// connection is killed twice and sluice itself is SIGKILLed once. The file must hold every
// change exactly once, in commit order.

#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kRows = 600;
constexpr int kRowsPerTxn = 10;
constexpr int kUpdated = 100;
constexpr int kDeletedFrom = 551;
constexpr size_t kExpectedLines = kRows + kUpdated + (kRows - kDeletedFrom + 1);

std::string expected_line(int id, const char* v, bool tombstone) {
  const std::string key = "{\"key\":{\"id\":" + std::to_string(id) + "},\"value\":";
  if (tombstone) return key + "null}";
  return key + "{\"id\":" + std::to_string(id) + ",\"v\":\"" + v + "\"}}";
}

// Kills the server side of sluice's binlog stream (as a failover or a DBA would). Waits (up
// to 10 s) for the stream to exist: sluice may still be reconnecting after an earlier kill.
int kill_binlog_dump(MariaDbSession& root) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int killed = 0;
    for (const auto& row : root.query(
             "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
      root.run("KILL " + *row[0]);
      ++killed;
    }
    if (killed > 0) return killed;
    std::this_thread::sleep_for(100ms);
  }
  return 0;
}

}  // namespace

TEST_CASE("MariaDB to file: exactly once through killed connections and a SIGKILL") {
  MariaDbSession sql;
  MariaDbSession root(MariaDbSession::As::root);
  sql.run("CREATE DATABASE IF NOT EXISTS e2e");
  sql.run("DROP TABLE IF EXISTS e2e.items");
  sql.run("CREATE TABLE e2e.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");

  const std::string dir = make_temp_dir("sluice-e2e-it");
  const int port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << mysql_source_yaml("e2e\\.items", 5501)
                        << "sink:\n"
                           "  type: file\n"
                           "  path: "
                        << dir
                        << "/out.jsonl\n"
                           "  value.format: upsert\n"
                           "pipeline:\n"
                           "  name: e2e\n"
                           "  state.dir: "
                        << dir
                        << "/state\n"
                           "  checkpoint.interval: 50ms\n"
                           "  metrics.port: "
                        << port
                        << "\n"
                           "  restart.initial-backoff: 100ms\n"
                           "  restart.max-backoff: 400ms\n";
  const std::string err_log = dir + "/stderr.log";
  INFO("sluice log: " << dir << "/stderr.log");
  auto sluice = std::make_unique<ChildProcess>(
      std::vector<std::string>{sluice_binary(), "run", config}, dir + "/stdout.log", err_log);
  REQUIRE(wait_ready(port, *sluice));

  int kills = 0;
  for (int txn = 0; txn < kRows / kRowsPerTxn; ++txn) {
    std::string insert = "INSERT INTO e2e.items VALUES ";
    for (int k = 0; k < kRowsPerTxn; ++k) {
      const int id = txn * kRowsPerTxn + k + 1;
      insert += (k ? ",(" : "(") + std::to_string(id) + ",'v" + std::to_string(id) + "')";
    }
    sql.run(insert);
    if (txn == 15 || txn == 40) {
      std::this_thread::sleep_for(100ms);  // let some of it flow first
      kills += kill_binlog_dump(root);
    }
    if (txn == 28) {
      sluice->signal(SIGKILL);
      REQUIRE(sluice->wait(10s) == 128 + SIGKILL);
      sluice = std::make_unique<ChildProcess>(
          std::vector<std::string>{sluice_binary(), "run", config}, dir + "/stdout.log", err_log);
    }
  }
  CHECK(kills >= 2);
  // One transaction updating 100 rows, one deleting 50: large row events.
  sql.run("UPDATE e2e.items SET v = 'updated' WHERE id <= " + std::to_string(kUpdated));
  sql.run("DELETE FROM e2e.items WHERE id >= " + std::to_string(kDeletedFrom));

  const std::string out = dir + "/out.jsonl";
  for (int i = 0; i < 600 && file_lines(out).size() < kExpectedLines; ++i)
    std::this_thread::sleep_for(100ms);
  // Let anything extra (a duplicate would be extra) arrive before judging.
  std::this_thread::sleep_for(500ms);
  const auto lines = file_lines(out);
  REQUIRE(lines.size() == kExpectedLines);
  size_t at = 0;
  for (int id = 1; id <= kRows; ++id) {
    REQUIRE(lines[at++] == expected_line(id, ("v" + std::to_string(id)).c_str(), false));
  }
  for (int id = 1; id <= kUpdated; ++id)
    REQUIRE(lines[at++] == expected_line(id, "updated", false));
  for (int id = kDeletedFrom; id <= kRows; ++id)
    REQUIRE(lines[at++] == expected_line(id, "", true));

  // The source failures were retried by the runner, not fatal.
  const std::string log = read_file(err_log);
  CHECK(log.find("restarting from the last checkpoint") != std::string::npos);

  // The source-side metrics of the process that saw the last killed connection and read the
  // update and the delete (each once: no restart after them).
  const std::string metrics =
      http_request("http://127.0.0.1:" + std::to_string(port) + "/metrics").second;
  auto value_of = [&](const std::string& series) { return metric_value(metrics, series); };
  CHECK(value_of("sluice_source_events_total{op=\"u\",pipeline=\"e2e\",table=\"e2e.items\"}") ==
        kUpdated);
  CHECK(value_of("sluice_source_events_total{op=\"d\",pipeline=\"e2e\",table=\"e2e.items\"}") ==
        kRows - kDeletedFrom + 1);
  CHECK(value_of("sluice_source_reconnects_total{pipeline=\"e2e\"}") >= 1);
  CHECK(value_of("sluice_source_bytes_read_total{pipeline=\"e2e\"}") > 10000);
  CHECK(value_of("sluice_source_binlog_file_number{pipeline=\"e2e\"}") >= 1);
  CHECK(value_of("sluice_source_binlog_offset{pipeline=\"e2e\"}") > 4);
  CHECK(value_of("sluice_source_lag_seconds{pipeline=\"e2e\"}") >= 0);
  CHECK(value_of("sluice_source_lag_seconds{pipeline=\"e2e\"}") < 60);
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}
