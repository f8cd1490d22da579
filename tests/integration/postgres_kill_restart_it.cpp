// PostgreSQL → sluice → file, Redis (a stream entry per change) and Kafka (the test broker,
// read_committed), exactly once while `sluice run` is SIGKILLed at random moments during a
// stream of transactions (1–40 rows each, inserts and updates). After each kill the slot's
// confirmed_flush_lsn must not be beyond the newest checkpoint sluice committed (PostgreSQL
// accepts any LSN; one too far would drop WAL never delivered). In the end each sink holds every
// change once, in commit order. SLUICE_LONG=1: 25 kills and 3000 transactions per sink;
// SLUICE_KILLS=N: N kills and N x 120 transactions.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/pg_slot.h"
#include "tests/support/postgres_client.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

bool long_run() {
  const char* v = std::getenv("SLUICE_LONG");
  return v != nullptr && std::string(v) == "1";
}

// A sink under test: its `sink:` section and what it holds now, as upsert lines
// {"key":{...},"value":{...}} in the order it holds them.
struct SinkUnderTest {
  std::string yaml;
  std::function<std::vector<std::string>()> lines;
};

// The workload, the kills and the checks, the same for every sink.
void kill_and_check(const std::string& name, const std::string& dir, const SinkUnderTest& sink) {
  // SLUICE_KILLS=N (the 100-kill loops of the other sinks): N kills over 120 transactions each,
  // as SLUICE_LONG's 25 over 3000, so that the writer is still writing when the last one lands.
  const char* kills_env = std::getenv("SLUICE_KILLS");
  const int kills_wanted = kills_env != nullptr ? std::max(1, std::atoi(kills_env))
                           : long_run()         ? 25
                                                : 5;
  const int txns = kills_env != nullptr ? kills_wanted * 120 : long_run() ? 3000 : 400;
  const std::string slot = "pg_kill_" + name;
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  const std::string table = "rows_" + name;
  sql.run("CREATE SCHEMA IF NOT EXISTS kill_it");
  sql.run("DROP TABLE IF EXISTS kill_it." + table);
  sql.run("CREATE TABLE kill_it." + table + " (id bigint PRIMARY KEY, v text NOT NULL)");
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);

  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << postgres_source_yaml(
                               service_value("SLUICE_PG_DATABASE") + "\\.kill_it\\." + table, slot,
                               "  status.interval: 100ms\n  heartbeat.interval: 1s\n")
                        << sink.yaml << "pipeline:\n  name: pg-kill-" << name
                        << "\n  state.dir: " << dir
                        << "/state\n  checkpoint.interval: 50ms\n  metrics.port: 0\n"
                           "  restart.initial-backoff: 100ms\n  restart.max-backoff: 500ms\n";
  const char* seed_env = std::getenv("SLUICE_PG_KILL_SEED");  // to replay a failed run
  const uint64_t seed = seed_env != nullptr ? std::stoull(seed_env) : std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);

  // The first run creates the slot; the writer starts once it streams.
  auto sluice =
      std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                     dir + "/stdout.log", dir + "/stderr.log");
  const std::string active =
      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active";
  for (int i = 0; i < 300 && su.scalar(active) != "1"; ++i) std::this_thread::sleep_for(100ms);
  REQUIRE(su.scalar(active) == "1");

  // The writer: transactions of 1–40 statements, each an insert of a new id or an update of an
  // earlier one; `expected` is the upsert line each change must produce, in commit order.
  std::vector<std::string> expected;
  std::atomic<bool> writer_done{false}, stop_writer{false};
  std::thread writer([&, wseed = rng()] {
    PgSession w;
    std::mt19937_64 wrng(wseed);
    long next_id = 1;
    for (int t = 0; t < txns && !stop_writer; ++t) {
      const int n = static_cast<int>(wrng() % 40) + 1;
      std::string stmt = "BEGIN;";
      std::vector<std::string> lines;
      for (int k = 0; k < n; ++k) {
        long id = 0;
        std::string v;
        if (next_id > 1 && wrng() % 4 == 0) {
          id = static_cast<long>(wrng() % (next_id - 1)) + 1;
          v = "u" + std::to_string(t) + "_" + std::to_string(k);
          stmt += "UPDATE kill_it." + table + " SET v = '" + v +
                  "' WHERE id = " + std::to_string(id) + ";";
        } else {
          id = next_id++;
          v = "i" + std::to_string(id);
          stmt +=
              "INSERT INTO kill_it." + table + " VALUES (" + std::to_string(id) + ", '" + v + "');";
        }
        lines.push_back("{\"key\":{\"id\":" + std::to_string(id) +
                        "},\"value\":{\"id\":" + std::to_string(id) + ",\"v\":\"" + v + "\"}}");
      }
      w.run(stmt + "COMMIT;");
      expected.insert(expected.end(), lines.begin(), lines.end());
      if (t % 20 == 0) std::this_thread::sleep_for(20ms);
    }
    writer_done = true;
  });
  JoinOnExit join_writer{stop_writer, writer};

  // The last start must have opened its sink before the sink's contents count: the file sink
  // cuts what a killed run wrote past its checkpoint only then, and that tail can be as long as
  // what is expected (a run once stopped sluice right after its start and found 179 lines short).
  // Counted in the log, which every start appends to ("sink open;" once per opened sink).
  const auto opened = [&] {
    const std::string log = read_file(dir + "/stderr.log");
    int n = 0;
    for (size_t at = log.find("sink open;"); at != std::string::npos;
         at = log.find("sink open;", at + 1))
      ++n;
    return n;
  };
  int opened_before_last = 0;
  int kills = 0, kills_streaming = 0, kills_writing = 0;
  // SLUICE_KILLS: each kill lands once the restarted sluice streams (the slot confirmed something
  // past the last kill), then up to 300 ms further into the stream; a fixed delay can end inside
  // the start on a loaded machine, where a run of 100 kills once never moved the slot. The
  // default run keeps the fixed 150-900 ms (its timing as CI has run it).
  const bool wait_for_stream = kills_env != nullptr;
  std::uniform_int_distribution<int> delay_ms(wait_for_stream ? 0 : 150,
                                              wait_for_stream ? 300 : 900);
  uint64_t confirmed_at_kill = confirmed_flush_lsn(su, slot);
  while (kills < kills_wanted) {
    bool streaming = false;
    for (int i = 0; i < 300 && !writer_done && wait_for_stream; ++i) {
      if (confirmed_flush_lsn(su, slot) > confirmed_at_kill) {
        streaming = true;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    streaming = streaming || confirmed_flush_lsn(su, slot) > confirmed_at_kill;
    kills_streaming += streaming ? 1 : 0;
    kills_writing += streaming || !writer_done ? 1 : 0;
    REQUIRE(sluice->running());
    sluice->signal(SIGKILL);
    REQUIRE(sluice->wait(10s) == 128 + SIGKILL);
    ++kills;
    // The walsender may outlive the connection briefly; the slot's confirmed LSN is what the
    // server keeps, and it must never pass what sluice committed.
    // The state dir is the reference for every sink, Redis too: a start may resume from the
    // Redis offset key (written at prepare and by bounded flushes, before the state dir), but the
    // source confirms nothing on the slot until a checkpoint recorded here is acknowledged.
    check_slot_not_ahead(su, slot, dir + "/state", "kill " + std::to_string(kills));
    confirmed_at_kill = confirmed_flush_lsn(su, slot);
    opened_before_last = opened();
    sluice =
        std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                       dir + "/stdout.log", dir + "/stderr.log");
  }
  writer.join();
  REQUIRE(writer_done);
  for (int i = 0; i < 600 && opened() <= opened_before_last; ++i)
    std::this_thread::sleep_for(100ms);
  REQUIRE(opened() > opened_before_last);
  for (int i = 0; i < 600 && sink.lines().size() < expected.size(); ++i)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(500ms);  // anything extra would show now
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(30s) == 0);
  check_slot_not_ahead(su, slot, dir + "/state", "the end");
  const auto lines = sink.lines();
  REQUIRE(lines.size() == expected.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != expected[i])
      FAIL("line " << i << ": " << lines[i] << ", expected " << expected[i]);
  }
  CHECK(kills == kills_wanted);
  MESSAGE(name << ": " << kills << " kills, " << kills_writing << " while the writer wrote, "
               << kills_streaming << " of them after the slot moved; " << expected.size()
               << " changes, each once in order");
  // While changes are written, a restarted sluice that never gets to confirm one is a fault.
  if (wait_for_stream) CHECK(kills_streaming * 2 >= kills_writing);
  su.run("SELECT pg_drop_replication_slot('" + slot + "')");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
  sql.run("DROP TABLE kill_it." + table);
}

}  // namespace

TEST_CASE(
    "postgres to file: SIGKILL at random points, every change exactly once, slot never ahead") {
  const std::string dir = make_temp_dir("sluice-pg-kill-it");
  const std::string out = dir + "/out.jsonl";
  kill_and_check("file", dir,
                 {"sink:\n  type: file\n  path: " + out + "\n  value.format: upsert\n",
                  [&] { return file_lines(out); }});
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "postgres to redis: SIGKILL at random points, every change exactly once, slot never ahead") {
  const std::string dir = make_temp_dir("sluice-pg-kill-redis-it");
  RedisClient redis;
  const std::string stream = "pgkill:log:" + std::to_string(::getpid());
  const std::string offset = "pgkill:offset:" + std::to_string(::getpid());
  redis.command({"DEL", stream, offset});
  const std::string yaml = "sink:\n  type: redis\n  host: " + service_value("SLUICE_REDIS_HOST") +
                           "\n  port: " + service_value("SLUICE_REDIS_PORT") +
                           "\n  value.format: upsert\n  offset.key: " + offset +
                           "\n  batch.max-commands: 50\n  tables:\n"
                           "    - {source-table: 'kill_it\\.rows_redis', mode: stream, key: '" +
                           stream + "'}\n";
  // Each entry: op, key, value fields; an entry per change, in stream order.
  const auto lines = [&] {
    std::vector<std::string> out;
    for (const auto& e : redis.command({"XRANGE", stream, "-", "+"}).items) {
      const auto& f = e.items.at(1).items;
      REQUIRE(f.size() == 6);
      out.push_back("{\"key\":" + f[3].text + ",\"value\":" + f[5].text + "}");
    }
    return out;
  };
  kill_and_check("redis", dir, {yaml, lines});
  redis.command({"DEL", stream, offset});
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "postgres to kafka (test broker): SIGKILL at random points, read_committed sees every change "
    "once, slot never ahead") {
  const std::unique_ptr<KafkaBackend> broker = exactly_once_broker();
  const std::string dir = make_temp_dir("sluice-pg-kill-kafka-it");
  // One partition: the topic's order is the commit order.
  const std::string yaml =
      "sink:\n  type: kafka\n  properties.bootstrap.servers: " + broker->bootstrap() +
      "\n  properties.linger.ms: 2\n  topic.partitions: 1\n  value.format: "
      "upsert\n  operation.timeout: 10s\n";
  const std::string topic = "pg-kill-kafka.kill_it.rows_kafka";
  const auto lines = [&] {
    std::vector<std::string> out;
    for (const ConsumedRecord& r : consume_records(*broker, topic, 1, true)) {
      REQUIRE(r.key.has_value());
      REQUIRE(r.value.has_value());
      out.push_back("{\"key\":" + *r.key + ",\"value\":" + *r.value + "}");
    }
    return out;
  };
  kill_and_check("kafka", dir, {yaml, lines});
  std::filesystem::remove_all(dir);
}
