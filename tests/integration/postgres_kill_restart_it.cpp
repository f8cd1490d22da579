// PostgreSQL → sluice → file sink, exactly once while `sluice run` is SIGKILLed at random
// moments during a stream of transactions (1–40 rows each, inserts and updates). After each
// kill the slot's confirmed_flush_lsn must not be beyond the newest checkpoint sluice
// committed (PostgreSQL accepts any LSN; one too far would drop WAL never delivered). In the end
// the file holds every change once, in commit order. SLUICE_LONG=1: 25 kills and more rows.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/postgres_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

bool long_run() {
  const char* v = std::getenv("SLUICE_LONG");
  return v != nullptr && std::string(v) == "1";
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

uint64_t parse_lsn(const std::string& text) {
  const auto slash = text.find('/');
  return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) |
         std::stoull(text.substr(slash + 1), nullptr, 16);
}

// The largest commit_lsn among the checkpoints in the state dir (0 when none).
uint64_t newest_checkpoint_lsn(const std::string& state_dir) {
  auto listing =
      run_command({sluice_binary(), "checkpoints", "--state-dir", state_dir, "--json"}, 30s);
  uint64_t best = 0;
  static const std::regex re("\"commit_lsn\":\"([0-9A-F]+/[0-9A-F]+)\"");
  for (std::sregex_iterator it(listing.out.begin(), listing.out.end(), re), end; it != end; ++it) {
    best = std::max(best, parse_lsn((*it)[1].str()));
  }
  return best;
}

}  // namespace

TEST_CASE(
    "postgres to file: SIGKILL at random points, every change exactly once, slot never ahead") {
  const int kills_wanted = long_run() ? 25 : 5;
  const int txns = long_run() ? 3000 : 400;
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  sql.run("CREATE SCHEMA IF NOT EXISTS kill_it");
  sql.run("DROP TABLE IF EXISTS kill_it.rows");
  sql.run("CREATE TABLE kill_it.rows (id bigint PRIMARY KEY, v text NOT NULL)");
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
      "'pg_kill'");
  su.run("DROP PUBLICATION IF EXISTS sluice_pg_kill");

  const std::string dir = make_temp_dir("sluice-pg-kill-it");
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml(
                               service_value("SLUICE_PG_DATABASE") + "\\.kill_it\\.rows", "pg_kill",
                               "  status.interval: 100ms\n  heartbeat.interval: 1s\n")
                        << "sink:\n  type: file\n  path: " << dir
                        << "/out.jsonl\n  value.format: upsert\n"
                        << "pipeline:\n  name: pg-kill\n  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 50ms\n  metrics.port: 0\n"
                           "  restart.initial-backoff: 100ms\n  restart.max-backoff: 500ms\n";
  const uint64_t seed = std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);

  // The first run creates the slot; the writer starts once it streams.
  auto sluice =
      std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                     dir + "/stdout.log", dir + "/stderr.log");
  for (int i = 0;
       i < 100 &&
       su.scalar(
           "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_kill' AND active") !=
           "1";
       ++i) {
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_kill'") ==
          "1");

  // The writer: transactions of 1–40 statements, each an insert of a new id or an update of an
  // earlier one; `expected` is the upsert line each change must produce, in commit order.
  std::vector<std::string> expected;
  std::atomic<bool> writer_done{false};
  std::thread writer([&, wseed = rng()] {
    PgSession w;
    std::mt19937_64 wrng(wseed);
    long next_id = 1;
    for (int t = 0; t < txns; ++t) {
      const int n = static_cast<int>(wrng() % 40) + 1;
      std::string stmt = "BEGIN;";
      std::vector<std::string> lines;
      for (int k = 0; k < n; ++k) {
        if (next_id > 1 && wrng() % 4 == 0) {
          const long id = static_cast<long>(wrng() % (next_id - 1)) + 1;
          const std::string v = "u" + std::to_string(t) + "_" + std::to_string(k);
          stmt += "UPDATE kill_it.rows SET v = '" + v + "' WHERE id = " + std::to_string(id) + ";";
          lines.push_back("{\"key\":{\"id\":" + std::to_string(id) +
                          "},\"value\":{\"id\":" + std::to_string(id) + ",\"v\":\"" + v + "\"}}");
        } else {
          const long id = next_id++;
          const std::string v = "i" + std::to_string(id);
          stmt += "INSERT INTO kill_it.rows VALUES (" + std::to_string(id) + ", '" + v + "');";
          lines.push_back("{\"key\":{\"id\":" + std::to_string(id) +
                          "},\"value\":{\"id\":" + std::to_string(id) + ",\"v\":\"" + v + "\"}}");
        }
      }
      w.run(stmt + "COMMIT;");
      expected.insert(expected.end(), lines.begin(), lines.end());
      if (t % 20 == 0) std::this_thread::sleep_for(20ms);
    }
    writer_done = true;
  });

  int kills = 0;
  std::uniform_int_distribution<int> delay_ms(150, 900);
  while (kills < kills_wanted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    REQUIRE(sluice->running());
    sluice->signal(SIGKILL);
    REQUIRE(sluice->wait(10s) == 128 + SIGKILL);
    ++kills;
    // The walsender may outlive the connection briefly; the slot's confirmed LSN is what the
    // server keeps, and it must never pass what sluice committed.
    const uint64_t committed = newest_checkpoint_lsn(dir + "/state");
    const uint64_t confirmed = parse_lsn(su.scalar(
        "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'pg_kill'"));
    CHECK_MESSAGE(confirmed <= committed, "kill " << kills << ": confirmed_flush_lsn " << confirmed
                                                  << " beyond the newest checkpoint's "
                                                  << committed);
    sluice =
        std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                       dir + "/stdout.log", dir + "/stderr.log");
  }
  writer.join();
  REQUIRE(writer_done);
  const std::string out = dir + "/out.jsonl";
  for (int i = 0; i < 600 && lines_of(out).size() < expected.size(); ++i)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(500ms);  // anything extra would show now
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(30s) == 0);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == expected.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != expected[i])
      FAIL("line " << i << ": " << lines[i] << ", expected " << expected[i]);
  }
  CHECK(kills == kills_wanted);
  su.run("SELECT pg_drop_replication_slot('pg_kill')");
  su.run("DROP PUBLICATION IF EXISTS sluice_pg_kill");
  std::system(("rm -rf '" + dir + "'").c_str());
}
