// One large transaction through `sluice run` (PostgreSQL → file) with streaming on: the server
// streams it long before its COMMIT (logical_decoding_work_mem at its 64kB minimum), sluice
// spools it to disk and writes nothing until the commit, then every row once, in order; the
// spool file is gone after. sluice's peak RSS grows by a bound that does not depend on the
// transaction's size (asserted in the plain build; ASan's shadow memory would blur it).
// SLUICE_PG_BIG_TXN_ROWS sets the rows (default 200000; 1000000 is the case).
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/postgres_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// VmRSS or VmHWM (peak) of `pid` in bytes, from /proc.
uint64_t memory_of(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  FAIL("no " << field << " for pid " << pid);
  return 0;
}

size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace

TEST_CASE("postgres big transaction: streamed, spooled, emitted once at commit, RSS bounded") {
  const char* rows_env = std::getenv("SLUICE_PG_BIG_TXN_ROWS");
  const long rows = rows_env != nullptr ? std::atol(rows_env) : 200000;
  REQUIRE(rows > 0);
  const std::string slot = "big_txn_it";
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
  sql.run("CREATE SCHEMA IF NOT EXISTS big_it");
  sql.run("DROP TABLE IF EXISTS big_it.rows");
  sql.run("CREATE TABLE big_it.rows (id bigint PRIMARY KEY, pad text NOT NULL)");
  su.run("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
  su.run("SELECT pg_reload_conf()");
  struct Reset {
    PgSession& su;
    ~Reset() {
      try {
        su.run("ALTER SYSTEM RESET logical_decoding_work_mem");
        su.run("SELECT pg_reload_conf()");
      } catch (...) {  // ignored because a destructor must not throw; the test failed already
      }
    }
  } reset{su};

  const std::string dir = make_temp_dir("sluice-pg-big-txn-it");
  INFO("dir " << dir << ", rows " << rows);
  const std::string spool = dir + "/spool";
  const std::string out = dir + "/out.jsonl";
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml(
                               service_value("SLUICE_PG_DATABASE") + "\\.big_it\\.rows", slot,
                               "  spool.dir: " + spool + "\n")
                        << "sink:\n  type: file\n  path: " << out
                        << "\n  value.format: upsert\npipeline:\n  name: pg-big-txn\n  state.dir: "
                        << dir << "/state\n  checkpoint.interval: 1s\n  metrics.port: 0\n"
                        << "  queue.max-bytes: 16mb\n";
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(eventually(
      [&] {
        return su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot +
                         "' AND active") == "1";
      },
      60s, 100ms));
  std::this_thread::sleep_for(500ms);
  const uint64_t rss_before = memory_of(sluice.pid(), "VmRSS");

  // The transaction, open: the server streams it to sluice, which spools it and writes nothing.
  PgSession writer;
  writer.run("BEGIN");
  writer.run("INSERT INTO big_it.rows SELECT g, repeat('p', 200) || g FROM generate_series(1, " +
             std::to_string(rows) + ") g");
  const std::string streamed =
      "SELECT COALESCE(sum(stream_bytes), 0) FROM pg_stat_replication_slots WHERE slot_name = '" +
      slot + "'";
  // The statistics are reported when the walsender's decoding pauses: wait for them.
  REQUIRE(eventually([&] { return std::stoll(su.scalar(streamed)) > 0; }, 120s, 200ms));
  REQUIRE(eventually(
      [&] {
        std::error_code ec;
        for (const auto& f : std::filesystem::directory_iterator(spool, ec)) {
          if (f.file_size() > 0) return true;
        }
        return false;
      },
      60s, 100ms));
  std::this_thread::sleep_for(300ms);
  CHECK(count_lines(out) == 0);  // nothing before the commit

  writer.run("COMMIT");
  REQUIRE(eventually([&] { return count_lines(out) >= static_cast<size_t>(rows); },
                     std::chrono::seconds(60 + rows / 2000), 200ms));
  std::this_thread::sleep_for(500ms);  // a repeat would show now
  const uint64_t peak = memory_of(sluice.pid(), "VmHWM");
  sluice.signal(SIGTERM);
  REQUIRE(sluice.wait(60s) == 0);

  // Every row once, in order (read line by line: the file can be large).
  std::ifstream in(out);
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string id = std::to_string(n);
    const std::string want = "{\"key\":{\"id\":" + id + "},\"value\":{\"id\":" + id +
                             ",\"pad\":\"" + std::string(200, 'p') + id + "\"}}";
    if (line != want) FAIL("line " << n << ": " << line.substr(0, 80) << "...");
  }
  CHECK(n == rows);
  CHECK(std::filesystem::is_empty(spool));  // the spool file is removed after its commit
  const uint64_t data = std::filesystem::file_size(out);
  const uint64_t growth = peak > rss_before ? peak - rss_before : 0;
  MESSAGE("rows " << rows << ", output " << data / 1048576 << " MiB, RSS before "
                  << rss_before / 1048576 << " MiB, peak " << peak / 1048576 << " MiB");
  // The queue (16 MiB), one batch, the file sink's 1 MiB buffer and the allocator's slack; a
  // transaction held in memory would add at least its output's size.
  if (!kSanitized) CHECK(growth < 32ull * 1048576);
  su.run("SELECT pg_drop_replication_slot('" + slot + "')");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
  sql.run("DROP TABLE big_it.rows");
  std::filesystem::remove_all(dir);
}
