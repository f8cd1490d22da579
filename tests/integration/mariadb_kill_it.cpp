// MariaDB killed, not stopped: the services' mariadbd gets SIGKILL while a writer commits
// transactions (the last ones in doubt: their COMMIT had no answer) and sluice streams them
// to the file sink; it is started again on the same data dir (InnoDB and binlog crash
// recovery). sluice must reconnect by itself and the file must hold exactly the rows MariaDB
// kept: each once, none that it rolled back.

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

std::string services_dir() { return service_value("SLUICE_SERVICES_DIR") + "/mariadb"; }

pid_t mariadbd_pid() {
  std::ifstream in(services_dir() + "/mariadbd-server.pid");
  pid_t pid = 0;
  REQUIRE_MESSAGE((in >> pid), "no mariadbd-server.pid in " << services_dir());
  return pid;
}

// The process has exited (a zombie counts: it holds no files or ports; the server is not our
// child, so whether and when it is reaped is not ours to wait for).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
  return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] == 'Z';
}

// Starts mariadbd as tools/services.sh does and records its PID where `services.sh stop`
// looks, so that the restarted server is stopped with the others.
void start_mariadbd() {
  const std::string d = services_dir();
  const std::string user = ::geteuid() == 0 ? " --user=mysql" : "";
  const std::string cmd = "setsid nohup mariadbd --defaults-file=" + d + "/my.cnf" + user + " >>" +
                          d + "/mariadbd.stdout 2>&1 </dev/null & echo $! >" + d + "/mariadbd.pid";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE_MESSAGE(eventually(
                      [] {
                        try {
                          MariaDbSession probe;
                          return true;
                        } catch (const std::exception&) {
                          return false;
                        }
                      },
                      60s, 100ms),
                  "mariadbd did not come back; log " << d << "/mariadb.log");
}

}  // namespace

TEST_CASE("MariaDB killed -9 mid-transaction and restarted: the file holds what MariaDB kept") {
  {
    MariaDbSession sql;
    sql.run("CREATE DATABASE IF NOT EXISTS mk");
    sql.run("DROP TABLE IF EXISTS mk.t");
    sql.run("CREATE TABLE mk.t (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)");
  }
  const std::string dir = make_temp_dir("sluice-mariadb-kill");
  const int metrics_port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  const std::string out = dir + "/out.jsonl";
  std::ofstream(config) << mysql_source_yaml("mk\\.t", 5801)
                        << "  heartbeat.interval: 1s\n  connect.timeout: 2s\n"
                           "sink:\n  type: file\n  path: "
                        << out
                        << "\n  value.format: upsert\npipeline:\n  name: mk\n  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 50ms\n  metrics.port: " << metrics_port
                        << "\n  restart.initial-backoff: 100ms\n  restart.max-backoff: 500ms\n";
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  // The writer: one transaction of two rows at a time; an error means the transaction is in
  // doubt (it may have committed before the kill). It reconnects until told to stop.
  std::atomic<bool> stop{false};
  std::atomic<int> next{0}, acked{0}, in_doubt{0};
  std::set<int> acked_ids;  // written by the writer only, read after the join
  std::thread writer([&] {
    std::unique_ptr<MariaDbSession> sql;
    while (!stop) {
      try {
        if (!sql) sql = std::make_unique<MariaDbSession>();
        const int id = next += 2;
        sql->run("BEGIN");
        sql->run("INSERT INTO mk.t VALUES (" + std::to_string(id - 1) + ", 'a'), (" +
                 std::to_string(id) + ", 'b')");
        try {
          sql->run("COMMIT");
          acked_ids.insert(id - 1);
          acked_ids.insert(id);
          ++acked;
        } catch (const std::exception&) {
          ++in_doubt;
          throw;
        }
      } catch (const std::exception&) {
        sql.reset();
        std::this_thread::sleep_for(50ms);
      }
    }
  });
  JoinOnExit join{stop, writer};

  REQUIRE(eventually([&] { return acked > 10; }, 30s));  // the writer commits, then the kill
  const pid_t pid = mariadbd_pid();
  REQUIRE(::kill(pid, SIGKILL) == 0);
  const int acked_at_kill = acked;
  // A new server started before the killed one has let go of its files and port would fail
  // (freeing a buffer pool takes a while on a loaded machine).
  REQUIRE_MESSAGE(eventually([&] { return process_gone(pid); }, 30s, 10ms),
                  "the killed mariadbd " << pid << " is still running");
  start_mariadbd();
  REQUIRE(eventually([&] { return acked > acked_at_kill + 20; }, 30s));
  stop = true;
  writer.join();
  MESSAGE("transactions acknowledged " << acked.load() << ", in doubt " << in_doubt.load());

  // What MariaDB kept after its crash recovery is the truth.
  MariaDbSession sql;
  std::set<int> kept;
  for (const auto& row : sql.query("SELECT id FROM mk.t")) kept.insert(std::stoi(*row[0]));
  for (int id : acked_ids)
    REQUIRE_MESSAGE(kept.count(id) == 1, "acknowledged row " << id << " lost by MariaDB");
  REQUIRE(eventually([&] { return upsert_ids(out).size() >= kept.size(); }, 60s, 100ms));
  std::this_thread::sleep_for(500ms);  // a repeated row would arrive now
  const auto ids = upsert_ids(out);
  const std::set<int> in_file(ids.begin(), ids.end());
  CHECK(ids.size() == in_file.size());  // nothing repeated
  CHECK(in_file == kept);               // nothing lost, nothing MariaDB rolled back
  CHECK(sluice.running());              // it waited for the server, it did not give up
  CHECK(read_file(dir + "/stderr.log").find("restarting from the last checkpoint") !=
        std::string::npos);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}
