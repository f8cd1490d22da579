// Issue 19's TLS stall, end to end: over TLS, the last changes of a backlog sat unread inside
// OpenSSL after a restart until the next heartbeat (30 s by default) while nothing more
// arrived. Here `sluice run` (ssl-mode: required, the default heartbeat) is stopped 20 times,
// SIGKILL and SIGTERM in turn; each time a backlog of 50 transactions of ~3 kB row events is
// committed while it is down, and after the restart the last committed change must be in the
// file within 1 s of the pipeline being ready, as must a change committed while it runs. In the
// end the file holds every row exactly once, in commit order. With the SSL_pending check of
// MysqlConnection::has_buffered_input taken out, 9 of the 20 restarts missed the 1 s (their
// backlog's end waited for the next packet).

#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kRestarts = 20;
constexpr int kBacklogTxns = 50;
constexpr int kRowsPerTxn = 100;  // ~3 kB row events, as mysql_tls_it's backlog
constexpr auto kDeadline = 1s;

// Follows the file sink's output: the ids of the upsert lines, read as they are appended.
class OutputFollower {
 public:
  explicit OutputFollower(std::string path) : path_(std::move(path)) {}
  const std::vector<long>& ids() {
    std::ifstream in(path_);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string line;
    while (std::getline(in, line) && !in.eof()) {  // a line without its '\n' is not complete
      offset_ += line.size() + 1;
      REQUIRE(line.rfind("{\"key\":{\"id\":", 0) == 0);
      ids_.push_back(std::strtol(line.c_str() + 13, nullptr, 10));
    }
    return ids_;
  }
  // How long until the file holds `id`, up to `limit` (then returns more than `limit`).
  std::chrono::milliseconds wait_for(long id, std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      const auto& seen = ids();
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      if (!seen.empty() && seen.back() >= id) return took;
      if (took > limit) return took;
      std::this_thread::sleep_for(5ms);
    }
  }

 private:
  std::string path_;
  size_t offset_ = 0;
  std::vector<long> ids_;
};

}  // namespace

TEST_CASE("issue_19: over TLS, after each of 20 restarts the last change arrives within 1 s") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS tls_restart");
  sql.run("DROP TABLE IF EXISTS tls_restart.items");
  sql.run("CREATE TABLE tls_restart.items (id INT PRIMARY KEY, pad VARCHAR(60) NOT NULL)");

  const std::string dir = make_temp_dir("sluice-tls-restart-it");
  const int port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << mysql_source_yaml("tls_restart\\.items", 5519)
                        << "  ssl-mode: required\n"
                           "sink:\n"
                           "  type: file\n"
                           "  path: "
                        << dir
                        << "/out.jsonl\n"
                           "  value.format: upsert\n"
                           "pipeline:\n"
                           "  name: tls-restart\n"
                           "  state.dir: "
                        << dir
                        << "/state\n"
                           "  checkpoint.interval: 50ms\n"
                           "  metrics.port: "
                        << port << "\n";
  const std::string err_log = dir + "/stderr.log";
  INFO("sluice log: " << err_log);
  const auto start_sluice = [&] {
    return std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                          dir + "/stdout.log", err_log);
  };
  OutputFollower out(dir + "/out.jsonl");
  int last_id = 0;
  const auto commit = [&](int txns) {
    for (int t = 0; t < txns; ++t) {
      std::string insert = "INSERT INTO tls_restart.items VALUES ";
      for (int r = 0; r < kRowsPerTxn; ++r) {
        insert +=
            (r == 0 ? "(" : ",(") + std::to_string(++last_id) + ", 'backlog row padding text')";
      }
      sql.run(insert);
    }
  };

  auto sluice = start_sluice();
  REQUIRE(wait_ready(port, *sluice));
  std::chrono::milliseconds slowest{0};
  for (int restart = 1; restart <= kRestarts; ++restart) {
    CAPTURE(restart);
    const int sig = restart % 2 == 0 ? SIGTERM : SIGKILL;
    sluice->signal(sig);
    REQUIRE(sluice->wait(10s) == (sig == SIGTERM ? 0 : 128 + SIGKILL));
    commit(kBacklogTxns);  // the backlog the restarted pipeline reads at once
    sluice = start_sluice();
    REQUIRE(wait_ready(port, *sluice));
    const auto backlog_took = out.wait_for(last_id, 5000ms);
    CHECK_MESSAGE(backlog_took <= kDeadline,
                  "backlog's last row after " << backlog_took.count() << " ms");
    commit(1);  // and a change while it runs
    const auto live_took = out.wait_for(last_id, 5000ms);
    CHECK_MESSAGE(live_took <= kDeadline, "live row after " << live_took.count() << " ms");
    slowest = std::max({slowest, backlog_took, live_took});
  }
  MESSAGE("slowest change to reach the file after a restart: " << slowest.count() << " ms");
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(10s) == 0);

  // TLS was really on: the source logs the cipher of its stream.
  CHECK(read_file(err_log).find("(TLS ") != std::string::npos);
  // Exactly once, in commit order, through all of it.
  const auto& ids = out.ids();
  REQUIRE(ids.size() == static_cast<size_t>(last_id));
  for (int i = 0; i < last_id; ++i) REQUIRE(ids[static_cast<size_t>(i)] == i + 1);
  std::system(("rm -rf '" + dir + "'").c_str());
}
