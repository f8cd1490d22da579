// PostgreSQL `scan.startup.mode: initial` into the file sink, Redis (stream mode) and Kafka (the
// test broker, read_committed) with `sluice run` SIGKILLed at random moments during the snapshot
// and across the snapshot -> stream switch while a writer inserts, updates and deletes. Each
// restart inside the snapshot reads the rest at a temporary slot's consistent point (a new segment)
// while the pipeline's slot still streams from the first read's. At the end the output, replayed as
// upserts, equals the table, and per key the events are exactly the key's history from the row read
// on: one `r` with the version the snapshot saw, then each later statement once, in order. After
// each kill the slot's confirmed_flush_lsn is not beyond the newest checkpoint's LSN.
// A last case kills a re-snapshot while streaming (signal table, file sink) while its rows are
// delivered: each row read once, every change once and in order, the slot never confirmed beyond
// the newest checkpoint. And a re-snapshot asked through the control API of a running daemon.
// ARCHITECTURE.md, "Snapshots". SLUICE_PG_SNAPSHOT_KILLS sets the kills (default 6 for the file, 4
// for Redis and Kafka), SLUICE_PG_SNAPSHOT_KILL_ROWS the rows (default 20000 for the file, 10000
// for Redis and Kafka).

#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/postgres_client.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

struct Step {
  char op;
  int64_t ver;
  friend bool operator==(const Step&, const Step&) = default;
};

struct Output {
  std::map<int64_t, std::vector<Step>> per_key;  // 'r' steps included
  std::map<int64_t, int64_t> state;              // replayed as upserts: id -> ver
  size_t reads = 0;
  size_t lines = 0;
};

// A sink under test: its `sink:` section, the debezium-json documents it holds in order, and a
// number that grows with what it holds (cheap to ask between kills).
struct SinkUnderTest {
  std::string yaml;
  std::function<std::vector<std::string>()> documents;
  std::function<uint64_t()> progress;
  // What a look while sluice runs sees (unset: `documents`); Kafka's consumer cannot tell the
  // end of a topic that is still written.
  std::function<std::vector<std::string>()> live_documents = {};
};

// Whole lines only: after a SIGKILL the file may end inside a line the next run cuts off.
std::vector<std::string> file_documents(const std::string& path) {
  std::string all = read_file(path);
  all.erase(all.rfind('\n') == std::string::npos ? 0 : all.rfind('\n') + 1);
  std::istringstream in(all);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(std::move(line));
  return out;
}

Output read_output(const std::vector<std::string>& documents) {
  Output out;
  simdjson::ondemand::parser parser;
  for (const std::string& line : documents) {
    ++out.lines;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    std::string_view op = doc["op"].get_string().value();
    auto row = [&](const char* field, int64_t& id, int64_t& ver) {
      auto obj = doc[field].get_object().value();
      id = obj["id"].get_int64().value();
      ver = obj["ver"].get_int64().value();
    };
    int64_t id = 0, ver = 0;
    if (op == "d") {
      row("before", id, ver);
      out.state.erase(id);
    } else {
      row("after", id, ver);
      out.state[id] = ver;
      if (op == "r") ++out.reads;
    }
    out.per_key[id].push_back({op[0], ver});
  }
  return out;
}

uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? uintmax_t{0} : n;
}

uint64_t parse_lsn(const std::string& text) {
  const auto slash = text.find('/');
  return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) |
         std::stoull(text.substr(slash + 1), nullptr, 16);
}

// The largest LSN any checkpoint in the state dir names (a stream position's commit LSN or a
// snapshot segment's consistent point): the slot may never be confirmed beyond it.
uint64_t newest_checkpoint_lsn(const std::string& state_dir) {
  auto listing =
      run_command({sluice_binary(), "checkpoints", "--state-dir", state_dir, "--json"}, 30s);
  uint64_t best = 0;
  static const std::regex re("(\"commit_lsn\":\"|commit=)([0-9A-F]+/[0-9A-F]+)");
  for (std::sregex_iterator it(listing.out.begin(), listing.out.end(), re), end; it != end; ++it) {
    best = std::max(best, parse_lsn((*it)[2].str()));
  }
  return best;
}

// `table` (id, ver) made anew with `rows` rows of ver 0, REPLICA IDENTITY FULL (the deletes'
// before images carry the version deleted), a primary key unless `keyless`; `slot` and its
// publication dropped.
void fresh_table_and_slot(PgSession& sql, PgSession& su, const std::string& table,
                          const std::string& slot, int64_t rows, bool keyless) {
  sql.run("CREATE SCHEMA IF NOT EXISTS pgsnapkill");
  sql.run("DROP TABLE IF EXISTS " + table);
  sql.run("CREATE TABLE " + table + " (id int" + (keyless ? "" : " PRIMARY KEY") +
          ", ver bigint NOT NULL)");
  sql.run("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
  sql.run("INSERT INTO " + table + " SELECT g, 0 FROM generate_series(1, " + std::to_string(rows) +
          ") g");
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
}

// One writer session: inserts (new ids after `rows`), updates and deletes of `table`'s rows
// every 2 ms until `stop`, each statement recorded in `history` (a delete with the version it
// deleted).
std::thread start_writer(const std::string& table, int64_t rows,
                         std::map<int64_t, std::vector<Step>>& history, std::atomic<bool>& stop) {
  return std::thread([&history, &stop, table, rows] {
    PgSession w;
    std::mt19937_64 rng(1717);
    std::map<int64_t, int64_t> live;  // id -> ver
    for (int64_t id = 1; id <= rows; ++id) live[id] = 0;
    int64_t next_id = rows + 1;
    const auto end = std::chrono::steady_clock::now() + 240s;
    for (int64_t ver = 1; !stop && ver < 1000000 && std::chrono::steady_clock::now() < end; ++ver) {
      const int choice = static_cast<int>(rng() % 10);
      if (choice < 2) {
        const int64_t id = next_id++;
        w.run("INSERT INTO " + table + " VALUES (" + std::to_string(id) + ", " +
              std::to_string(ver) + ")");
        live[id] = ver;
        history[id].push_back({'c', ver});
      } else {
        auto it = live.lower_bound(static_cast<int64_t>(rng() % static_cast<uint64_t>(next_id)));
        if (it == live.end()) it = live.begin();
        const std::string id = std::to_string(it->first);
        if (choice < 8) {
          w.run("UPDATE " + table + " SET ver = " + std::to_string(ver) + " WHERE id = " + id);
          it->second = ver;
          history[it->first].push_back({'u', ver});
        } else {
          w.run("DELETE FROM " + table + " WHERE id = " + id);
          history[it->first].push_back({'d', it->second});
          live.erase(it);
        }
      }
      std::this_thread::sleep_for(2ms);
    }
  });
}

// After `delay`, SIGKILLs `sluice`, which must still run (else its stderr in `dir` is shown).
void kill_after(ChildProcess& sluice, std::chrono::milliseconds delay, const std::string& dir) {
  std::this_thread::sleep_for(delay);
  REQUIRE_MESSAGE(sluice.running(), read_file(dir + "/stderr.log"));
  sluice.signal(SIGKILL);
  REQUIRE(sluice.wait(10s) == 128 + SIGKILL);
}

// The slot's confirmed_flush_lsn as the server prints it ("" when there is no such slot).
std::string confirmed_flush(PgSession& su, const std::string& slot) {
  return su.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" +
                   slot + "'");
}

// The last run of a kill loop, the writer stopped: `sluice run` on `config` until the output
// `live` shows, replayed, equals `table` (at most 120 s), then SIGTERM; then the output
// `documents` reads must equal the table.
void last_run_until_equal(const std::string& config, const std::string& dir, PgSession& sql,
                          const std::string& table,
                          const std::function<std::vector<std::string>()>& live,
                          const std::function<std::vector<std::string>()>& documents) {
  ChildProcess last({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  const auto until = std::chrono::steady_clock::now() + 120s;
  std::map<int64_t, int64_t> want;
  for (const auto& r : sql.query("SELECT id, ver FROM " + table)) {
    want[std::stoll(*r[0])] = std::stoll(*r[1]);
  }
  while (read_output(live()).state != want && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(200ms);
  }
  last.signal(SIGTERM);
  REQUIRE(last.wait(30s) == 0);
  const Output out = read_output(documents());
  CHECK(out.state.size() == want.size());
  CHECK((out.state == want));
}

// The workload, the kills and the checks, the same for every sink: table pgsnapkill.k_<name>,
// slot pg_snap_kill_<name> (the file's keeps its old name), pipeline pg-snap-kill-<name>.
// `keyless`: the table has no primary key (ctid ranges); a restart reads it again whole.
void snapshot_kills(const std::string& name, const std::string& dir, const SinkUnderTest& sink,
                    int default_kills, int64_t default_rows, size_t min_partial_reads,
                    int parallelism = 1, bool keyless = false) {
  const char* kills_env = std::getenv("SLUICE_PG_SNAPSHOT_KILLS");
  const char* rows_env = std::getenv("SLUICE_PG_SNAPSHOT_KILL_ROWS");
  const int want_kills = kills_env ? std::atoi(kills_env) : default_kills;
  const int64_t rows = rows_env ? std::atoll(rows_env) : default_rows;
  const std::string slot = name == "file" ? "pg_snap_kill" : "pg_snap_kill_" + name;
  const std::string table = "pgsnapkill.k_" + name;
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  fresh_table_and_slot(sql, su, table, slot, rows, keyless);

  std::map<int64_t, std::vector<Step>> history;
  for (int64_t id = 1; id <= rows; ++id) history[id] = {{'c', 0}};
  std::atomic<bool> stop{false};
  std::thread writer;
  JoinOnExit joiner{stop, writer};
  writer = start_writer(table, rows, history, stop);

  const int metrics_port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  const std::string pipeline = name == "file" ? "pg-snap-kill" : "pg-snap-kill-" + name;
  std::string source = postgres_source_yaml("[^.]+\\.pgsnapkill\\.k_" + name, slot,
                                            "  scan.incremental.snapshot.chunk.size: 500\n"
                                            "  scan.snapshot.parallelism: " +
                                                std::to_string(parallelism) +
                                                "\n"
                                                "  status.interval: 100ms\n"
                                                "  heartbeat.interval: 1s\n");
  source.replace(source.find("latest-offset"), 13, "initial");
  std::ofstream(config) << source << sink.yaml << "pipeline:\n  name: " << pipeline
                        << "\n  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 30ms\n"
                           "  restart.initial-backoff: 50ms\n  metrics.port: "
                        << metrics_port << "\n";
  const std::string metric_label = "{pipeline=\"" + pipeline + "\"}";
  const auto live_documents = [&sink] {
    return sink.live_documents ? sink.live_documents() : sink.documents();
  };
  const uint64_t seed = std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  int kills = 0;
  size_t partial_reads = 0;  // kills that found the snapshot part read
  bool killed_after_read = false;
  size_t reads_before = 0;  // the `r` events the output held at the kill before
  bool saw_progress = false;
  bool snapshot_read = false;             // the output already holds stream events
  std::optional<std::string> created_at;  // the slot's confirmed LSN before any checkpoint LSN
  const auto deadline = std::chrono::steady_clock::now() + 150s;
  // Each run is killed a random moment after it delivered something new (a slow machine must
  // not turn every run into a kill before the first checkpoint), until the kills landed both
  // inside the snapshot and after it.
  while ((kills < want_kills || !killed_after_read || partial_reads < min_partial_reads) &&
         kills < want_kills + 24 && std::chrono::steady_clock::now() < deadline) {
    const uint64_t size_before = sink.progress();
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    if (kills == 0) {
      // The first run is inside the snapshot: its progress is on /metrics.
      const auto until = std::chrono::steady_clock::now() + 20s;
      while (!saw_progress && std::chrono::steady_clock::now() < until) {
        const auto [code, body] =
            http_request("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
        saw_progress =
            code == 200 &&
            body.find("sluice_snapshot_reading" + metric_label + " 1") != std::string::npos &&
            body.find("sluice_snapshot_tables_total" + metric_label + " 1") != std::string::npos &&
            body.find("sluice_snapshot_rows_total" + metric_label + " 0\n") == std::string::npos;
        if (!saw_progress) std::this_thread::sleep_for(5ms);
      }
    }
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (sink.progress() <= size_before && sluice.running() &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    // Enough kills landed inside the snapshot and none after it yet: this run is let finish the
    // snapshot first (a table without a key is read again whole by each run, which a kill within
    // 400 ms of its first delivery might never let happen).
    while (min_partial_reads > 0 && partial_reads >= min_partial_reads && !killed_after_read &&
           sluice.running() && std::chrono::steady_clock::now() < until) {
      const Output now = read_output(live_documents());
      if (now.lines > now.reads) break;
      std::this_thread::sleep_for(50ms);
    }
    // The first kills come within 10 ms of the run's first delivery, so that they land inside
    // the snapshot on a fast machine too; then anywhere in the next 400 ms.
    const int delay = delay_ms(rng);
    const bool early = !snapshot_read && partial_reads < 3;
    kill_after(sluice, std::chrono::milliseconds(early ? delay / 40 : delay), dir);
    ++kills;
    const uint64_t committed = newest_checkpoint_lsn(dir + "/state");
    const std::string confirmed = confirmed_flush(su, slot);
    if (!confirmed.empty() && committed == 0) {
      // The checkpoints name no LSN yet (a parallel snapshot's pinned start, before any part's
      // read opened): sluice confirmed nothing, the slot is where its creation put it.
      if (!created_at) created_at = confirmed;
      CHECK_MESSAGE(confirmed == *created_at, "kill " << kills << ": confirmed_flush_lsn "
                                                      << confirmed << " moved from " << *created_at
                                                      << " with no checkpoint naming an LSN");
    } else if (!confirmed.empty()) {
      CHECK_MESSAGE(parse_lsn(confirmed) <= committed,
                    "kill " << kills << ": confirmed_flush_lsn " << confirmed
                            << " beyond the newest checkpoint's LSN " << committed);
    }
    const Output now = read_output(sink.documents());
    // Inside the snapshot: part of it read (without a key: read again, no stream event yet).
    if (keyless ? now.reads > reads_before && now.lines == now.reads
                : now.reads > 0 && now.reads < static_cast<size_t>(rows)) {
      ++partial_reads;
    }
    reads_before = now.reads;
    if (now.lines > now.reads) killed_after_read = true;
    snapshot_read = now.lines > now.reads;
  }
  MESSAGE("kills: " << kills << ", of them inside the snapshot: " << partial_reads);
  CHECK(kills >= want_kills);
  CHECK(partial_reads >= min_partial_reads);
  CHECK(saw_progress);

  // The last run streams the writer's final statements, then stops on SIGTERM.
  stop = true;
  writer.join();
  last_run_until_equal(config, dir, sql, table, live_documents, sink.documents);
  CHECK(killed_after_read);

  const Output out = read_output(sink.documents());
  size_t statements_streamed = 0;
  for (const auto& [id, steps] : out.per_key) {
    const auto& h = history.at(id);
    INFO("id " << id);
    if (keyless) {
      // Read again whole after each restart inside the snapshot, its stream segment starting
      // after every row (ARCHITECTURE.md, "Snapshots"): at least once around the cut, never
      // lost. Every statement after the first read of the key streams once, in order: the
      // statements are a suffix of its history that begins no later than that read.
      std::vector<Step> streamed;
      for (const Step& st : steps) {
        if (st.op != 'r') streamed.push_back(st);
      }
      size_t read_at = h.size();  // the history index the first read saw, if any
      if (steps.front().op == 'r') {
        for (size_t i = 0; i < h.size(); ++i) {
          if (h[i].op != 'd' && h[i].ver == steps.front().ver) read_at = i;
        }
        REQUIRE_MESSAGE(read_at < h.size(),
                        "read version " << steps.front().ver << " never written");
      }
      bool found = false;
      for (size_t i = 0; i <= h.size() && !found; ++i) {
        if (steps.front().op == 'r' && i > read_at + 1) break;
        found = std::vector<Step>(h.begin() + static_cast<long>(i), h.end()) == streamed;
      }
      CHECK_MESSAGE(found, "the streamed events of the key are not its history after its read");
      statements_streamed += streamed.size();
      continue;
    }
    if (steps.front().op == 'r') {
      // The row as read: the last statement that set its version; the rest follow once.
      size_t at = h.size();
      for (size_t i = 0; i < h.size(); ++i) {
        if (h[i].op != 'd' && h[i].ver == steps.front().ver) at = i;
      }
      REQUIRE_MESSAGE(at < h.size(), "read version " << steps.front().ver << " never written");
      const std::vector<Step> rest(steps.begin() + 1, steps.end());
      const std::vector<Step> want(h.begin() + static_cast<long>(at) + 1, h.end());
      CHECK((rest == want));
      statements_streamed += rest.size();
    } else {
      // Absent when read: its statements from its insert on.
      REQUIRE(steps.front().op == 'c');
      bool found = false;
      for (size_t i = 0; i < h.size() && !found; ++i) {
        if (h[i] == steps.front() && (i == 0 || h[i - 1].op == 'd')) {
          found = std::vector<Step>(h.begin() + static_cast<long>(i), h.end()) == steps;
        }
      }
      CHECK_MESSAGE(found, "the events of the key are not a suffix of its history");
      statements_streamed += steps.size();
    }
  }
  MESSAGE("keys: " << out.per_key.size() << ", rows read: " << out.reads
                   << ", writer statements streamed: " << statements_streamed);
  // No temporary slot outlives its run.
  CHECK(su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + slot +
                  "_snapshot%'") == "0");
  su.run("SELECT pg_drop_replication_slot('" + slot + "')");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
  sql.run("DROP TABLE " + table);
}

// snapshot_kills into the file sink (debezium-json), in a temporary directory.
void file_snapshot_kills(const std::string& name, const std::string& dir_prefix, int default_kills,
                         int64_t default_rows, size_t min_partial_reads, int parallelism = 1,
                         bool keyless = false) {
  const std::string dir = make_temp_dir(dir_prefix);
  const std::string out_path = dir + "/out.jsonl";
  snapshot_kills(name, dir,
                 {"sink:\n  type: file\n  path: " + out_path + "\n  value.format: debezium-json\n",
                  [&] { return file_documents(out_path); }, [&] { return file_size(out_path); }},
                 default_kills, default_rows, min_partial_reads, parallelism, keyless);
  std::filesystem::remove_all(dir);
}

// A re-snapshot case: table pgsnapkill.k_<name> of `rows` rows, slot pg_resnap_<name> (both
// fresh), and the file sink's output in a temporary directory; the slot, its publication, the
// table and the directory are dropped at the end.
struct ResnapCase {
  std::string dir, out_path, slot, table;
  PgSession sql;
  PgSession su{PgSession::As::superuser};
  ResnapCase(const std::string& case_name, int64_t rows)
      : dir(make_temp_dir("sluice-pg-resnap-" + case_name)),
        out_path(dir + "/out.jsonl"),
        slot("pg_resnap_" + case_name),
        table("pgsnapkill.k_" + case_name) {
    fresh_table_and_slot(sql, su, table, slot, rows, false);
  }
  ResnapCase(const ResnapCase&) = delete;
  ResnapCase& operator=(const ResnapCase&) = delete;
  ~ResnapCase() {
    try {
      su.run(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
          "slot_name = '" +
          slot + "'");
      su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
      sql.run("DROP TABLE IF EXISTS " + table);
    } catch (...) {
    }
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

TEST_CASE(
    "postgres initial into the file sink: SIGKILL during the snapshot and the switch to the "
    "stream, a writer running; each key's history exactly once, the final state exact") {
  // 60,000 rows: a run resumed inside the snapshot is the only chance of a second kill there,
  // and on a quiet fast machine (or beside other tests) it read the rest of 20,000 rows before
  // its first checkpoint committed (1 of 30 kills inside).
  file_snapshot_kills("file", "sluice-pg-snap-kill", 6, 60000, 2);
}

TEST_CASE(
    "postgres initial into the file sink read by 2 connections (scan.snapshot.parallelism: 2, "
    "each half of the keys a part): SIGKILL inside the snapshot and after; each restart imports "
    "a temporary slot's snapshot into both connections; each key's history exactly once") {
  // 40,000 rows: two connections read 20,000 fast enough that a loaded machine once let only 1
  // of 28 kills land inside the snapshot.
  file_snapshot_kills("par", "sluice-pg-snap-kill-par", 4, 40000, 2, 2);
}

TEST_CASE(
    "postgres initial of a table without a key (ctid ranges) read by 2 connections into the file "
    "sink: SIGKILL inside the snapshot and after; read again whole after each restart, every "
    "statement after a key's first read streamed once, the final state exact") {
  // 60,000 rows: with 20,000 a whole read often fitted before the first checkpoint committed,
  // so a kill found none of it or all of it (1 of 28 kills inside, beside other tests).
  file_snapshot_kills("keyless", "sluice-pg-snap-kill-keyless", 4, 60000, 2, /*parallelism=*/2,
                      /*keyless=*/true);
}

TEST_CASE(
    "postgres initial into redis (stream mode): SIGKILL during the snapshot and the switch to "
    "the stream; each key's history exactly once, the final state exact") {
  const std::string dir = make_temp_dir("sluice-pg-snap-kill-redis");
  RedisClient redis;
  const std::string stream = "pgsnapkill:log:" + std::to_string(::getpid());
  const std::string offset = "pgsnapkill:offset:" + std::to_string(::getpid());
  redis.command({"DEL", stream, offset});
  const std::string yaml = "sink:\n  type: redis\n  host: " + service_value("SLUICE_REDIS_HOST") +
                           "\n  port: " + service_value("SLUICE_REDIS_PORT") +
                           "\n  value.format: debezium-json\n  offset.key: " + offset +
                           "\n  batch.max-commands: 200\n  tables:\n"
                           "    - {source-table: 'pgsnapkill\\.k_redis', mode: stream, key: '" +
                           stream + "'}\n";
  // Each entry: op, key, value (the debezium-json document); an entry per change, in order.
  const auto documents = [&] {
    std::vector<std::string> out;
    for (const auto& e : redis.command({"XRANGE", stream, "-", "+"}).items) {
      const auto& f = e.items.at(1).items;
      REQUIRE(f.size() == 6);
      out.push_back(f[5].text);
    }
    return out;
  };
  const auto length = [&] { return std::stoull(redis.command({"XLEN", stream}).text); };
  // The stream's entries arrive in bursts of batch.max-commands, so a restarted run can finish
  // the snapshot before its next kill: one kill inside it is what this case adds to the file
  // case's two (a fresh clone once landed 1 of 28 inside).
  snapshot_kills("redis", dir, {yaml, documents, length}, 4, 10000, 1);
  redis.command({"DEL", stream, offset});
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "postgres initial into kafka (test broker, read_committed): SIGKILL during the snapshot and "
    "the switch to the stream; each key's history exactly once, the final state exact") {
  const std::unique_ptr<KafkaBackend> broker = exactly_once_broker();
  const std::string dir = make_temp_dir("sluice-pg-snap-kill-kafka");
  // One partition: the topic's order is the commit order.
  const std::string yaml =
      "sink:\n  type: kafka\n  properties.bootstrap.servers: " + broker->bootstrap() +
      "\n  properties.linger.ms: 2\n  topic.partitions: 1\n  value.format: "
      "debezium-json\n  operation.timeout: 10s\n";
  const std::string topic = "pg-snap-kill-kafka.pgsnapkill.k_kafka";
  const auto values = [](const std::vector<ConsumedRecord>& records) {
    std::vector<std::string> out;
    for (const ConsumedRecord& r : records) {
      if (r.value) out.push_back(*r.value);  // a delete's tombstone follows its event
    }
    return out;
  };
  // 60 s: a loaded machine once took over 20 s to read 30,000 records back.
  const auto documents = [&] { return values(consume_records(*broker, topic, 1, true, 60s)); };
  const auto live = [&] { return values(consume_available(*broker, topic, 1, true, 3s)); };
  broker->create_topic(topic, 1);  // the progress below asks for its offsets from the start
  // The last stable offset: what read_committed consumers see, the observable asserted.
  const auto committed = [&] {
    return static_cast<uint64_t>(std::max<int64_t>(0, watermarks(*broker, topic, 0, true).second));
  };
  // Kafka's progress is the last stable offset, which moves only at checkpoints: with 10,000 or
  // 30,000 rows the snapshot was often read before any kill could see it part-read (0 of 28),
  // so 60,000 and at least one kill inside the snapshot.
  snapshot_kills("kafka", dir, {yaml, documents, committed, live}, 4, 60000, 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "postgres re-snapshot while streaming into the file sink, asked by a signal-table row: "
    "SIGKILL while its rows are delivered, a writer running; each row read once, every change "
    "once and in order, the slot never confirmed beyond the newest checkpoint") {
  const char* kills_env = std::getenv("SLUICE_PG_SNAPSHOT_KILLS");
  const int want_kills = kills_env ? std::atoi(kills_env) : 6;
  const int64_t rows = 20000;
  ResnapCase c("kill", rows);
  auto& [dir, out_path, slot, table, sql, su] = c;
  sql.run("DROP TABLE IF EXISTS pgsnapkill.resnap_signal");
  sql.run("CREATE TABLE pgsnapkill.resnap_signal (id text PRIMARY KEY, type text, data text)");

  // latest-offset: the table's rows reach the file only through the re-snapshot.
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml("[^.]+\\.pgsnapkill\\.k_kill", slot,
                                                "  scan.incremental.snapshot.chunk.size: 200\n"
                                                "  signal.data-collection: "
                                                "pgsnapkill.resnap_signal\n"
                                                "  status.interval: 100ms\n"
                                                "  heartbeat.interval: 1s\n")
                        << "sink:\n  type: file\n  path: " << out_path
                        << "\n  value.format: debezium-json\npipeline:\n  name: pg-resnap-kill\n"
                        << "  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 30ms\n  restart.initial-backoff: 50ms\n";

  std::map<int64_t, std::vector<Step>> history;  // the writer's statements, from the slot on
  std::atomic<bool> stop{false};
  std::thread writer;
  JoinOnExit joiner{stop, writer};
  const uint64_t seed = std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 300);
  int kills = 0;
  size_t partial = 0;  // kills with rows read and the re-snapshot still in the checkpoint
  const auto deadline = std::chrono::steady_clock::now() + 150s;
  while ((kills < want_kills || partial < 3) && kills < want_kills + 24 &&
         std::chrono::steady_clock::now() < deadline) {
    const uint64_t size_before = file_size(out_path);
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    if (kills == 0) {
      // The slot exists (its creation is the start): the writer's statements are all streamed.
      const auto until = std::chrono::steady_clock::now() + 20s;
      while (su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot +
                       "' AND active") != "1") {
        REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, read_file(dir + "/stderr.log"));
        std::this_thread::sleep_for(10ms);
      }
      writer = start_writer(table, rows, history, stop);
      sql.run(
          "INSERT INTO pgsnapkill.resnap_signal VALUES ('kill-1', 'execute-snapshot', "
          "'{\"data-collections\": [\"pgsnapkill.k_kill\"], \"type\": \"incremental\"}')");
    }
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (file_size(out_path) <= size_before && sluice.running() &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    // Short delays while the re-snapshot has rows left (it is read in about a second), so that
    // most kills land inside it on a fast machine too.
    const int delay = delay_ms(rng);
    kill_after(sluice, std::chrono::milliseconds(partial < 3 ? delay / 20 : delay), dir);
    ++kills;
    const uint64_t committed = newest_checkpoint_lsn(dir + "/state");
    const std::string confirmed = confirmed_flush(su, slot);
    REQUIRE(committed != 0);
    CHECK_MESSAGE(parse_lsn(confirmed) <= committed,
                  "kill " << kills << ": confirmed_flush_lsn " << confirmed
                          << " beyond the newest checkpoint's LSN " << committed);
    const auto listing =
        run_command({sluice_binary(), "checkpoints", "--state-dir", dir + "/state"}, 30s);
    const Output now = read_output(file_documents(out_path));
    if (now.reads > 0 && listing.out.find("re-snapshot=") != std::string::npos) ++partial;
  }
  MESSAGE("kills: " << kills << ", of them inside the re-snapshot: " << partial);
  CHECK(kills >= want_kills);
  CHECK(partial >= 3);

  stop = true;
  writer.join();
  const auto documents = [&out_path] { return file_documents(out_path); };
  last_run_until_equal(config, dir, sql, table, documents, documents);
  // Per key: at most one `r`, equal to the key's state right before it; the other events are
  // the writer's statements, each once, in order.
  const Output out = read_output(file_documents(out_path));
  size_t read_keys = 0;
  for (const auto& [id, steps] : out.per_key) {
    INFO("id " << id);
    std::vector<Step> streamed;
    int64_t current = id <= rows ? 0 : -1;  // -1: no row
    size_t r_count = 0;
    for (const Step& st : steps) {
      if (st.op == 'r') {
        CHECK_MESSAGE(current == st.ver, "read at ver " << st.ver << " after ver " << current);
        ++r_count;
        continue;
      }
      streamed.push_back(st);
      current = st.op == 'd' ? -1 : st.ver;
    }
    CHECK(r_count <= 1);
    read_keys += r_count;
    const auto h = history.find(id);
    CHECK((streamed == (h == history.end() ? std::vector<Step>{} : h->second)));
  }
  MESSAGE("keys: " << out.per_key.size() << ", rows read: " << out.reads << " (" << read_keys
                   << " keys)");
  sql.run("DROP TABLE pgsnapkill.resnap_signal");
}

TEST_CASE(
    "postgres re-snapshot asked through the control API of a running `sluice run` (POST "
    ".../snapshot): 400 for a table not captured, 202 for one that is; its rows once each, then "
    "the stream goes on") {
  const int64_t rows = 3000;
  ResnapCase c("api", rows);
  auto& [dir, out_path, slot, table, sql, su] = c;
  const int port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml("[^.]+\\.pgsnapkill\\.k_api", slot,
                                                "  scan.incremental.snapshot.chunk.size: 500\n"
                                                "  status.interval: 100ms\n")
                        << "sink:\n  type: file\n  path: " << out_path
                        << "\n  value.format: debezium-json\npipeline:\n  name: pg-resnap-api\n"
                        << "  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 50ms\n  metrics.port: " << port << "\n";
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/pipelines/" +
                           url_encode("pg-resnap-api");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (http_request(base).second.find("\"state\":\"running\"") == std::string::npos) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, read_file(dir + "/stderr.log"));
    std::this_thread::sleep_for(20ms);
  }
  const auto not_captured = http_request(base + "/snapshot?tables=pgsnapkill.nope", "POST");
  CHECK(not_captured.first == 400);
  CHECK(not_captured.second.find("re-snapshot of pgsnapkill.nope: the pipeline does not capture "
                                 "it") != std::string::npos);
  const auto asked = http_request(base + "/snapshot?tables=pgsnapkill.k_api", "POST");
  REQUIRE_MESSAGE(asked.first == 202, asked.second);
  const auto wait_for = [&](const std::function<bool(const Output&)>& done, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done(read_output(file_documents(out_path)))) {
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "timed out: " << what);
      std::this_thread::sleep_for(50ms);
    }
  };
  wait_for([&](const Output& o) { return o.reads == static_cast<size_t>(rows); }, "the rows");
  // The stream goes on after the re-snapshot.
  sql.run("UPDATE " + table + " SET ver = 7 WHERE id = 42");
  wait_for([&](const Output& o) { return o.lines == static_cast<size_t>(rows) + 1; }, "the update");
  sluice.signal(SIGTERM);
  REQUIRE(sluice.wait(30s) == 0);
  const Output out = read_output(file_documents(out_path));
  CHECK(out.reads == static_cast<size_t>(rows));
  CHECK(out.per_key.size() == static_cast<size_t>(rows));
  CHECK((out.per_key.at(42) == std::vector<Step>{{'r', 0}, {'u', 7}}));
  for (const auto& [id, steps] : out.per_key) {
    if (id != 42) CHECK((steps == std::vector<Step>{{'r', 0}}));
  }
}
