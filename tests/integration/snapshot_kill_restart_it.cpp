// `scan.startup.mode: initial` into the file, Redis (stream mode, a private redis-server) and
// Kafka (the test broker, read_committed) sinks, with `sluice run` SIGKILLed at random moments
// during the snapshot and across the snapshot -> stream switch while a writer inserts, updates
// and deletes. At the end the output, replayed as upserts, equals the table, and per key the
// events are exactly the key's history from the row read on: one `r` event with the version
// the snapshot saw, then each later writer statement on that key once, in order (or, for a key
// absent when its rows were read, its statements from its insert on). ARCHITECTURE.md,
// "Snapshots". The file sink runs twice: with one snapshot connection and with two
// (`scan.snapshot.parallelism: 2`, each half of the keys in its own consistent read).
// SLUICE_SNAPSHOT_KILLS sets the kills (default 8 for the file sink, 6 with two connections, 4
// for Redis and Kafka); SLUICE_SNAPSHOT_KILL_ROWS the table's rows (default 100000, 30000).

#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/private_redis.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

// What happened to one key, in order: 'c' (insert), 'u' (update), 'd' (delete) with the
// version the row has after it (for 'd': the version deleted).
struct Step {
  char op;
  int64_t ver;
  friend bool operator==(const Step&, const Step&) = default;
};

enum class SinkKind { file, redis, kafka };

// Where a run writes: the sink under test and how to read what it holds.
struct Target {
  SinkKind kind = SinkKind::file;
  std::string dir;
  std::string name;  // the pipeline's
  int redis_port = 0;
  const KafkaBackend* kafka = nullptr;
  int parallelism = 1;  // scan.snapshot.parallelism
  std::string topic() const { return name + ".sluice_snap.k_int"; }
};

constexpr int kPartitions = 3;
constexpr const char* kRedisStream = "snap:k_int";

std::string sink_yaml(const Target& t) {
  switch (t.kind) {
    case SinkKind::file:
      return "sink:\n  type: file\n  path: " + t.dir +
             "/out.jsonl\n  value.format: debezium-json\n";
    case SinkKind::redis:
      return "sink:\n  type: redis\n  port: " + std::to_string(t.redis_port) +
             "\n  value.format: debezium-json\n  tables:\n    - {source-table: "
             "'sluice_snap\\.k_int', mode: stream, key: '" +
             kRedisStream + "'}\n";
    case SinkKind::kafka:
      return "sink:\n  type: kafka\n  properties.bootstrap.servers: " + t.kafka->bootstrap() +
             "\n  properties.linger.ms: 2\n  topic.partitions: " + std::to_string(kPartitions) +
             "\n  operation.timeout: 10s\n";
  }
  return "";
}

std::string write_pipeline(const Target& t, int server_id, int metrics_port) {
  const std::string path = t.dir + "/pipeline.yaml";
  std::string source = mysql_source_yaml("sluice_snap\\.k_int", server_id);
  source.replace(source.find("latest-offset"), 13, "initial");
  std::ofstream(path) << source << "  scan.incremental.snapshot.chunk.size: 500\n"
                      << "  scan.snapshot.parallelism: " << t.parallelism << "\n"
                      << sink_yaml(t)
                      << "pipeline:\n"
                         "  name: "
                      << t.name
                      << "\n"
                         "  state.dir: "
                      << t.dir
                      << "/state\n"
                         "  checkpoint.interval: 30ms\n"
                         "  restart.initial-backoff: 50ms\n"
                         "  metrics.port: "
                      << metrics_port << "\n";
  return path;
}

struct Output {
  std::map<int64_t, std::vector<Step>> per_key;  // 'r' steps included
  std::map<int64_t, int64_t> state;              // replayed as upserts: id -> ver
  size_t reads = 0;
  size_t lines = 0;
};

// The events the sink holds, as Debezium JSON, in order per key (file: whole lines only, as
// after a SIGKILL the file may end inside a line the next run cuts off; Redis: the stream's
// values; Kafka: read_committed values, tombstones left out).
std::vector<std::string> sink_events(const Target& t) {
  std::vector<std::string> out;
  switch (t.kind) {
    case SinkKind::file: {
      std::string all = read_file(t.dir + "/out.jsonl");
      all.erase(all.rfind('\n') == std::string::npos ? 0 : all.rfind('\n') + 1);
      std::istringstream in(all);
      std::string line;
      while (std::getline(in, line)) out.push_back(line);
      break;
    }
    case SinkKind::redis: {
      RedisClient redis("127.0.0.1", t.redis_port);
      for (const auto& e : redis.command({"XRANGE", kRedisStream, "-", "+"}).items) {
        const auto& f = e.items.at(1).items;  // op, <op>, key, <key>, value, <event>
        REQUIRE(f.size() == 6);
        REQUIRE(f[4].text == "value");
        out.push_back(f[5].text);
      }
      break;
    }
    case SinkKind::kafka:
      for (const ConsumedRecord& r : consume_records(*t.kafka, t.topic(), kPartitions, true)) {
        if (r.value) out.push_back(*r.value);
      }
      break;
  }
  return out;
}

// How much the sink has taken so far, as read_output will see it: cheap enough to ask every
// few milliseconds. For Kafka that is the last stable offset (what read_committed sees), not
// the high watermark: a run killed a few milliseconds after its first produce, before its
// first commit, leaves nothing behind, and a loaded machine turned every kill into such a
// kill (28 kills, none inside the snapshot, in one CI run).
uintmax_t sink_size(const Target& t) {
  switch (t.kind) {
    case SinkKind::file: {
      std::error_code ec;
      const auto n = std::filesystem::file_size(t.dir + "/out.jsonl", ec);
      return ec ? uintmax_t{0} : n;
    }
    case SinkKind::redis: {
      RedisClient redis("127.0.0.1", t.redis_port);
      return std::stoull(redis.command({"XLEN", kRedisStream}).text);
    }
    case SinkKind::kafka: {
      uintmax_t n = 0;
      for (int p = 0; p < kPartitions; ++p) n += watermarks(*t.kafka, t.topic(), p, true).second;
      return n;
    }
  }
  return 0;
}

Output read_output(const Target& t) {
  Output out;
  simdjson::ondemand::parser parser;
  for (const std::string& event : sink_events(t)) {
    ++out.lines;
    simdjson::padded_string padded(event);
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

// Kills `sluice run` into `t` during the snapshot and after it; checks each key's history.
void kill_during_snapshot(Target& t, int server_id, int default_kills, int64_t default_rows) {
  const char* kills_env = std::getenv("SLUICE_SNAPSHOT_KILLS");
  const char* rows_env = std::getenv("SLUICE_SNAPSHOT_KILL_ROWS");
  const int want_kills = kills_env ? std::atoi(kills_env) : default_kills;
  const int64_t rows = rows_env ? std::atoll(rows_env) : default_rows;
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_snap");
  sql.run("DROP TABLE IF EXISTS sluice_snap.k_int");
  sql.run("CREATE TABLE sluice_snap.k_int (id INT NOT NULL PRIMARY KEY, ver BIGINT NOT NULL)");
  sql.run("INSERT INTO sluice_snap.k_int SELECT seq, 0 FROM sluice_snap.seq_1_to_" +
          std::to_string(rows));

  // The writer's history per key; the initial rows are inserts of version 0.
  std::map<int64_t, std::vector<Step>> history;
  for (int64_t id = 1; id <= rows; ++id) history[id] = {{'c', 0}};
  std::atomic<bool> stop{false};
  std::thread writer;
  cdc::testing::JoinOnExit joiner{stop, writer};
  writer = std::thread([&] {
    MariaDbSession w;
    std::mt19937_64 rng(1414);
    std::map<int64_t, int64_t> live;  // id -> ver
    for (int64_t id = 1; id <= rows; ++id) live[id] = 0;
    int64_t next_id = rows + 1;
    const auto end = std::chrono::steady_clock::now() + 240s;
    for (int64_t ver = 1; !stop && ver < 1000000 && std::chrono::steady_clock::now() < end; ++ver) {
      const int choice = static_cast<int>(rng() % 10);
      if (choice < 2) {
        const int64_t id = next_id++;
        w.run("INSERT INTO sluice_snap.k_int VALUES (" + std::to_string(id) + ", " +
              std::to_string(ver) + ")");
        live[id] = ver;
        history[id].push_back({'c', ver});
      } else {
        auto it = live.lower_bound(static_cast<int64_t>(rng() % static_cast<uint64_t>(next_id)));
        if (it == live.end()) it = live.begin();
        const std::string id = std::to_string(it->first);
        if (choice < 8) {
          w.run("UPDATE sluice_snap.k_int SET ver = " + std::to_string(ver) + " WHERE id = " + id);
          it->second = ver;
          history[it->first].push_back({'u', ver});
        } else {
          w.run("DELETE FROM sluice_snap.k_int WHERE id = " + id);
          history[it->first].push_back({'d', it->second});
          live.erase(it);
        }
      }
      std::this_thread::sleep_for(2ms);
    }
  });

  const std::string& dir = t.dir;
  const int metrics_port = free_port();
  const std::string config = write_pipeline(t, server_id, metrics_port);
  const std::string metric_label = "{pipeline=\"" + t.name + "\"}";
  const uint64_t seed = std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  int kills = 0;
  size_t partial_reads = 0;  // kills that found the snapshot part read
  bool killed_after_read = false;
  bool saw_progress = false;
  bool snapshot_read = false;  // the output already holds stream events
  const auto deadline = std::chrono::steady_clock::now() + 240s;
  auto out_size = [&] { return sink_size(t); };
  // Each run is killed a random moment after it delivered something new (a slow machine
  // must not turn every run into a kill before the first checkpoint), until the kills landed
  // both inside the snapshot and after it.
  while ((kills < want_kills || !killed_after_read || partial_reads < 2) &&
         kills < want_kills + 24 && std::chrono::steady_clock::now() < deadline) {
    const uintmax_t size_before = out_size();
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
    while (out_size() <= size_before && sluice.running() &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    if (kills == 0 && t.parallelism > 1) {
      CHECK(read_file(dir + "/stderr.log")
                .find("read by " + std::to_string(t.parallelism) + " connection(s)") !=
            std::string::npos);
    }
    // The first kills inside the snapshot come within 10 ms of its first delivery: an optimised
    // build reads the rest of the table in tens of milliseconds, so a later kill would never land
    // inside it. Then anywhere in the next 400 ms, which lets a run finish the snapshot and the
    // kills land after it too.
    const int delay = delay_ms(rng);
    const bool early = !snapshot_read && partial_reads < 3;
    std::this_thread::sleep_for(std::chrono::milliseconds(early ? delay / 40 : delay));
    REQUIRE_MESSAGE(sluice.running(), read_file(dir + "/stderr.log"));
    sluice.signal(SIGKILL);
    REQUIRE(sluice.wait(10s) == 128 + SIGKILL);
    ++kills;
    const Output now = read_output(t);
    if (now.reads > 0 && now.reads < static_cast<size_t>(rows)) ++partial_reads;
    if (now.lines > now.reads) killed_after_read = true;
    snapshot_read = now.lines > now.reads;
  }
  MESSAGE("kills: " << kills << ", of them inside the snapshot: " << partial_reads);
  CHECK(kills >= want_kills);
  CHECK(partial_reads >= 2);
  CHECK(saw_progress);

  // The last run streams the writer's final statements, then stops on SIGTERM.
  stop = true;
  writer.join();
  {
    ChildProcess last({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    const auto until = std::chrono::steady_clock::now() + 120s;
    std::map<int64_t, int64_t> want;
    for (const auto& r : sql.query("SELECT id, ver FROM sluice_snap.k_int")) {
      want[std::stoll(*r[0])] = std::stoll(*r[1]);
    }
    while (read_output(t).state != want && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(200ms);
    }
    last.signal(SIGTERM);
    REQUIRE(last.wait(30s) == 0);
    const Output out = read_output(t);
    CHECK(out.state.size() == want.size());
    CHECK((out.state == want));
  }
  CHECK(killed_after_read);

  const Output out = read_output(t);
  size_t keys_checked = 0, statements_streamed = 0;
  for (const auto& [id, steps] : out.per_key) {
    const auto& h = history.at(id);
    INFO("id " << id);
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
      // Absent when read: its statements from an insert after a delete (or its creation) on.
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
    ++keys_checked;
  }
  MESSAGE("keys: " << keys_checked << ", rows read: " << out.reads
                   << ", writer statements streamed: " << statements_streamed);
  CHECK(out.reads <= static_cast<size_t>(rows) + 2000);
}

}  // namespace

TEST_CASE(
    "initial into the file sink: SIGKILL during the snapshot and the switch to the stream, "
    "a writer running; each key's history exactly once, the final state exact") {
  Target t;
  t.dir = make_temp_dir("sluice-snap-kill-it");
  t.name = "snap-kill";
  kill_during_snapshot(t, 54411, 8, 100000);
  std::filesystem::remove_all(t.dir);
}

TEST_CASE(
    "initial into the file sink read by 2 connections (scan.snapshot.parallelism: 2): SIGKILL "
    "during the snapshot and the switch; each key's history exactly once, the final state "
    "exact") {
  Target t;
  t.dir = make_temp_dir("sluice-snap-kill-par");
  t.name = "snap-kill-par";
  t.parallelism = 2;
  kill_during_snapshot(t, 54414, 6, 60000);
  std::filesystem::remove_all(t.dir);
}

TEST_CASE(
    "initial into the Redis sink (stream mode): SIGKILL during the snapshot and the switch; "
    "each key's history exactly once in the stream, the final state exact") {
  Target t;
  t.kind = SinkKind::redis;
  t.dir = make_temp_dir("sluice-snap-kill-redis");
  t.name = "snap-kill-redis";
  PrivateRedis redis(t.dir);
  t.redis_port = redis.port();
  kill_during_snapshot(t, 54412, 4, 30000);
  std::filesystem::remove_all(t.dir);
}

TEST_CASE(
    "initial into the Kafka sink (test broker): SIGKILL during the snapshot and the switch; "
    "read_committed sees each key's history exactly once, the final state exact") {
  const std::unique_ptr<KafkaBackend> broker = exactly_once_broker();
  Target t;
  t.kind = SinkKind::kafka;
  t.dir = make_temp_dir("sluice-snap-kill-kafka");
  t.name = "snapkill" + topic_suffix();
  t.kafka = broker.get();
  // Made beforehand so that the high watermarks can be asked before the first delivery (the
  // sink accepts an existing topic).
  broker->create_topic(t.topic(), kPartitions);
  kill_during_snapshot(t, 54413, 4, 30000);
  std::filesystem::remove_all(t.dir);
}
