// Failover to a promoted replica. Two MariaDB servers of the test's own in GTID replication
// (primary -> replica, log_slave_updates, gtid_strict_mode) and a pipeline on the primary
// writing to the file sink. The writer commits on the primary and waits until the replica has
// each transaction (what semi-synchronous replication guarantees a client), and the primary is
// killed -9 between two commits while sluice streams. The replica is promoted and written to;
// sluice, pointed at it (config change + restart, README "Failover to another server"), resumes
// by GTID, as the checkpoint's file/offset are the dead primary's. Every change is in the file
// exactly once: per key, as many lines as the key had changes, the last equal to the replica's
// row. A third server outside the topology, which lacks the transactions, is refused with the
// missing GTIDs named, and the file is left as it was. A restart on the replica after the
// failover (its checkpoint now on the replica's binlog) goes on exactly once too.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/private_mariadb.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

std::string pipeline_yaml(const std::string& dir, int mariadb_port, int metrics_port) {
  return "source:\n  type: mysql\n  hostname: 127.0.0.1\n  port: " + std::to_string(mariadb_port) +
         "\n  username: sluice\n  password: " + service_value("SLUICE_MARIADB_PASSWORD") +
         "\n  tables: fo\\.t\n  server-id: 5901\n  scan.startup.mode: latest-offset\n"
         "  heartbeat.interval: 1s\n  connect.timeout: 2s\n"
         "sink:\n  type: file\n  path: " +
         dir + "/out.jsonl\n  value.format: upsert\npipeline:\n  name: fo\n  state.dir: " + dir +
         "/state\n  checkpoint.interval: 50ms\n  metrics.port: " + std::to_string(metrics_port) +
         "\n  restart.initial-backoff: 100ms\n  restart.max-backoff: 500ms\n";
}

// Transaction k inserts keys 10k+1..10k+10 (v = 1) and updates the keys of transaction k-1
// (v = 2): two row events per transaction, and every key changes twice but the last ten.
void write_transaction(MariaDbSession& sql, int k) {
  std::string values;
  for (int i = 1; i <= 10; ++i) {
    if (!values.empty()) values += ",";
    values += "(" + std::to_string(10 * k + i) + ", 1)";
  }
  sql.run("BEGIN");
  sql.run("INSERT INTO fo.t (id, v) VALUES " + values);
  sql.run("UPDATE fo.t SET v = 2 WHERE id BETWEEN " + std::to_string(10 * (k - 1) + 1) + " AND " +
          std::to_string(10 * (k - 1) + 10));
  sql.run("COMMIT");
}

std::string last_gtid(MariaDbSession& sql) { return *sql.query("SELECT @@last_gtid")[0][0]; }

// Throws (the writer thread reports it) when the replica has not applied `gtid` in 30 s.
void wait_for_gtid(MariaDbSession& replica, const std::string& gtid) {
  const auto r = replica.query("SELECT MASTER_GTID_WAIT('" + gtid + "', 30)");
  if (r[0][0] != "0") throw std::runtime_error("the replica did not apply " + gtid + " in 30 s");
}

// The file against the table: per key, its number of changes (1 + v - 1) lines, the last with
// the table's value; no other key.
void check_exactly_once(const std::string& out, MariaDbSession& table) {
  std::map<long, int> expected_lines;
  std::map<long, std::string> expected_last;
  for (const auto& row : table.query("SELECT id, v FROM fo.t")) {
    const long id = std::stol(*row[0]);
    expected_lines[id] = std::stoi(*row[1]);
    expected_last[id] = "{\"key\":{\"id\":" + *row[0] + "},\"value\":{\"id\":" + *row[0] +
                        ",\"v\":" + *row[1] + "}}";
  }
  size_t total = 0;
  for (const auto& [id, n] : expected_lines) total += n;
  REQUIRE_MESSAGE(eventually([&] { return file_lines(out).size() >= total; }, 60s, 50ms),
                  "the file has " << file_lines(out).size() << " lines of " << total);
  std::this_thread::sleep_for(300ms);  // a repeated change would arrive now
  std::map<long, int> lines;
  std::map<long, std::string> last;
  for (const std::string& line : file_lines(out)) {
    const long id = std::strtol(line.c_str() + 13, nullptr, 10);
    ++lines[id];
    last[id] = line;
  }
  CHECK(file_lines(out).size() == total);
  CHECK(lines == expected_lines);
  CHECK(last == expected_last);
}

}  // namespace

TEST_CASE("failover: primary killed -9, sluice resumes by GTID on the promoted replica") {
  const std::string dir = make_temp_dir("sluice-failover");
  ::chmod(dir.c_str(), 0755);
  ::mkdir((dir + "/seed").c_str(), 0755);
  const std::string seed = PrivateMariadb::initialise(dir + "/seed");
  PrivateMariadb primary(dir + "/primary", 11, seed);
  PrivateMariadb replica(dir + "/replica", 12, seed);
  PrivateMariadb stranger(dir + "/stranger", 13, seed);
  MariaDbSession on_replica(replica.socket());
  // Binlog files of the same names and offsets on both would let the primary's file/offset
  // hold on the replica (sluice then keeps them: they are the same point); as replicas made at
  // another time have, the replica's are elsewhere, which only a resume by GTID gets right.
  on_replica.run("FLUSH BINARY LOGS");
  replica.replicate_from(primary);
  MariaDbSession on_primary(primary.socket());
  on_primary.run("CREATE DATABASE fo");
  on_primary.run("CREATE TABLE fo.t (id INT PRIMARY KEY, v INT NOT NULL)");
  wait_for_gtid(on_replica, last_gtid(on_primary));
  {
    // The stranger has the same table and transactions of its own (GTIDs 0-13-1 to 0-13-5),
    // not the primary's.
    MariaDbSession sql(stranger.socket());
    sql.run("CREATE DATABASE fo");
    sql.run("CREATE TABLE fo.t (id INT PRIMARY KEY, v INT NOT NULL)");
    for (int k = 1; k <= 3; ++k) write_transaction(sql, k);
  }

  const int metrics_port = free_port();
  const std::string out = dir + "/out.jsonl";
  std::ofstream(dir + "/primary.yaml") << pipeline_yaml(dir, primary.port(), metrics_port);
  INFO("sluice logs: " << dir << "/*.err");
  auto sluice = std::make_unique<ChildProcess>(
      std::vector<std::string>{sluice_binary(), "run", dir + "/primary.yaml"}, dir + "/1.out",
      dir + "/1.err");
  REQUIRE(wait_ready(metrics_port, *sluice));

  // The writer kills the primary itself, right after the replica acknowledged a transaction.
  // Halfway, once sluice has delivered some, it pauses sluice (control API): the last twenty
  // transactions sluice has not read when the primary dies, and must get from the replica.
  const std::string pause_url =
      "http://127.0.0.1:" + std::to_string(metrics_port) + "/api/v1/pipelines/fo/pause";
  std::atomic<bool> stop{false};
  std::atomic<size_t> lines_at_pause{0};
  std::string writer_error;
  std::thread writer([&] {
    try {
      MariaDbSession sql(primary.socket());
      MariaDbSession ack(replica.socket());
      for (int k = 1; k <= 50 && !stop; ++k) {
        write_transaction(sql, k);
        wait_for_gtid(ack, last_gtid(sql));
        if (k == 30) {
          if (!eventually([&] { return file_lines(out).size() >= 100; }, 30s)) {
            throw std::runtime_error("sluice delivered nothing in 30 s");
          }
          const auto [status, body] = http_request(pause_url, "POST");
          if (status != 200) throw std::runtime_error("pause answered " + body);
          lines_at_pause = file_lines(out).size();
        }
      }
      primary.kill();
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
  });
  JoinOnExit join{stop, writer};
  writer.join();
  REQUIRE_MESSAGE(writer_error.empty(), writer_error);
  const int before_kill = 50;
  // The reader parked before transaction 31 was committed: of the 590 lines of the first 30
  // any may be in the file, none of the next twenty's.
  const size_t lines_at_kill = file_lines(out).size();
  CHECK(lines_at_kill <= 590);
  MESSAGE(lines_at_pause.load() << " lines in the file at the pause, " << lines_at_kill
                                << " at the kill");

  // Promote the replica and write on it.
  on_replica.run("STOP SLAVE");
  on_replica.run("RESET SLAVE ALL");
  for (int k = before_kill + 1; k <= before_kill + 40; ++k) write_transaction(on_replica, k);

  // sluice retries the dead primary; the operator points it at the new one and restarts it.
  CHECK(sluice->running());
  sluice->signal(SIGTERM);
  REQUIRE(sluice->wait(30s).has_value());
  std::ofstream(dir + "/replica.yaml") << pipeline_yaml(dir, replica.port(), metrics_port);
  sluice = std::make_unique<ChildProcess>(
      std::vector<std::string>{sluice_binary(), "run", dir + "/replica.yaml"}, dir + "/2.out",
      dir + "/2.err");
  REQUIRE(wait_ready(metrics_port, *sluice));
  check_exactly_once(out, on_replica);
  CHECK(read_file(dir + "/2.err").find("resuming by GTID") != std::string::npos);
  sluice->signal(SIGTERM);
  REQUIRE(sluice->wait(30s) == 0);

  // A server that never had the transactions: refused, naming them, the file untouched.
  const std::string kept = read_file(out);
  std::ofstream(dir + "/stranger.yaml") << pipeline_yaml(dir, stranger.port(), metrics_port);
  const auto refused = run_command({sluice_binary(), "run", dir + "/stranger.yaml"}, 60s);
  CHECK(refused.exit_code == 1);
  INFO("stranger's stderr: " << refused.err);
  CHECK(refused.err.find("does not hold the transactions after the checkpoint's GTID set 0-12-") !=
        std::string::npos);
  CHECK(refused.err.find("domain 0: the server lacks sequence numbers 6 to ") != std::string::npos);
  CHECK(read_file(out) == kept);

  // On the replica again, from a checkpoint of its own binlog, and on.
  sluice = std::make_unique<ChildProcess>(
      std::vector<std::string>{sluice_binary(), "run", dir + "/replica.yaml"}, dir + "/3.out",
      dir + "/3.err");
  REQUIRE(wait_ready(metrics_port, *sluice));
  for (int k = before_kill + 41; k <= before_kill + 50; ++k) write_transaction(on_replica, k);
  check_exactly_once(out, on_replica);
  CHECK(read_file(dir + "/3.err").find("resuming by GTID") == std::string::npos);
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(30s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}
