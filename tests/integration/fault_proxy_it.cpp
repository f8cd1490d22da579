// Network faults between sluice and its servers, injected by the fault proxy
// (tests/support/fault_proxy.h) on real connections: added latency, a connection cut in the
// middle of a packet, resets, a half-open connection, a proxy restart and a black hole. For
// each, sluice must notice (a black hole within its documented timeout), recover by itself
// once the fault clears, and the sink must end exactly equal to what was written: nothing
// lost, nothing repeated, in order.

#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/private_redis.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"
#include "tests/support/test_ca.h"

using namespace cdc::testing;
using namespace std::chrono_literals;
using Direction = FaultProxy::Direction;

namespace {

constexpr int kRowsPerTxn = 4;

// The services' MariaDB source section, connecting to `port` (the proxy) instead.
std::string source_through(int port, const std::string& tables, int server_id) {
  std::string yaml = mysql_source_yaml(tables, server_id);
  const std::string direct = "  port: " + service_value("SLUICE_MARIADB_PORT") + "\n";
  const size_t at = yaml.find(direct);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, direct.size(), "  port: " + std::to_string(port) + "\n");
  // A dead connection is declared after 2 x heartbeat.interval, at least 10 s (README).
  return yaml + "  heartbeat.interval: 1s\n  connect.timeout: 2s\n";
}

std::string pipeline_yaml(const std::string& dir, const std::string& name, int metrics_port) {
  return "pipeline:\n  name: " + name + "\n  state.dir: " + dir +
         "/state\n  checkpoint.interval: 50ms\n  metrics.port: " + std::to_string(metrics_port) +
         "\n  restart.initial-backoff: 50ms\n  restart.max-backoff: 300ms\n";
}

// Values long enough (~1 kB a row event) that a cut after a few hundred bytes lands inside one.
std::string value_of(int id) {
  std::string v = "v" + std::to_string(id) + "-";
  while (v.size() < 200) v += static_cast<char>('a' + (id + v.size()) % 26);
  return v;
}

// Inserts transactions of kRowsPerTxn rows with ids after `next_id`.
void insert_txns(MariaDbSession& sql, const std::string& table, int& next_id, int txns) {
  for (int t = 0; t < txns; ++t) {
    std::string insert = "INSERT INTO " + table + " VALUES ";
    for (int k = 0; k < kRowsPerTxn; ++k) {
      const int id = ++next_id;
      insert += (k ? ",(" : "(") + std::to_string(id) + ",'" + value_of(id) + "')";
    }
    sql.run(insert);
  }
}

std::string expected_line(int id) {
  const std::string ids = std::to_string(id);
  return "{\"key\":{\"id\":" + ids + "},\"value\":{\"id\":" + ids + ",\"v\":\"" + value_of(id) +
         "\"}}";
}

// The source's faults, in plain text or over TLS (ssl-mode verify-ca against the services' CA):
// then a cut lands inside a TLS record and a reset or black hole meets OpenSSL's reads. `tls`
// runs the cut, the reset and the black hole; plain text runs every fault.
void mysql_through_faults(bool tls) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS fp");
  sql.run("DROP TABLE IF EXISTS fp.items");
  sql.run("CREATE TABLE fp.items (id INT PRIMARY KEY, v VARCHAR(255) NOT NULL)");

  FaultProxy proxy(service_port("SLUICE_MARIADB_PORT"));
  const std::string dir = make_temp_dir("sluice-fault-mysql");
  const int metrics_port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  const std::string out = dir + "/out.jsonl";
  std::ofstream(config)
      << source_through(proxy.port(), "fp\\.items", tls ? 5703 : 5701)
      << (tls ? "  ssl-mode: verify-ca\n  ssl.ca: " + service_value("SLUICE_MARIADB_TLS_CA") + "\n"
              : std::string("  ssl-mode: disabled\n"))
      << "sink:\n  type: file\n  path: " << out << "\n  value.format: upsert\n"
      << pipeline_yaml(dir, tls ? "fault-mysql-tls" : "fault-mysql", metrics_port);
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  int next_id = 0;
  auto delivered = [&] { return file_lines(out).size() == static_cast<size_t>(next_id); };
  // A fault is injected while transactions are being written, so that it meets events on
  // their way; `hit` says the fault reached the connection (sluice connected again).
  auto under_fault = [&](const char* what, const std::function<void()>& inject) {
    INFO("fault: " << what);
    const uint64_t accepted = proxy.accepted();
    insert_txns(sql, "fp.items", next_id, 5);
    inject();
    insert_txns(sql, "fp.items", next_id, 20);
    // Cleared once sluice connected again: a cut still pending (its bytes not yet forwarded
    // by a starved proxy thread) would otherwise be cleared before it fired.
    CHECK(eventually([&] { return proxy.accepted() > accepted; }, 20s));
    proxy.clear_faults();
    CHECK(eventually(delivered, 20s));
  };

  if (!tls) {  // latency: slower, no reconnect
    proxy.set_latency(40ms);
    const uint64_t accepted = proxy.accepted();
    insert_txns(sql, "fp.items", next_id, 10);
    CHECK(eventually(delivered, 20s));
    proxy.clear_faults();
    CHECK(proxy.accepted() == accepted);
  }
  under_fault("cut 700 bytes into the server's next packets",
              [&] { proxy.cut_after(Direction::to_client, 700); });
  under_fault("reset", [&] { proxy.reset_all(); });
  if (!tls) {
    under_fault("half-open: the server's side closed",
                [&] { proxy.half_open(Direction::to_client); });
    under_fault("proxy restart", [&] {
      proxy.stop();
      std::this_thread::sleep_for(700ms);
      proxy.start();
    });
  }

  {  // A black hole: nothing comes back on the open connections; sluice must give up on the
     // dump connection after 2 x heartbeat.interval, at least 10 s, and connect again.
    const uint64_t accepted = proxy.accepted();
    const auto start = std::chrono::steady_clock::now();
    proxy.blackhole(Direction::to_client);
    insert_txns(sql, "fp.items", next_id, 10);
    REQUIRE(eventually([&] { return proxy.accepted() > accepted; }, 25s));
    const auto detected = std::chrono::steady_clock::now() - start;
    MESSAGE("black hole detected after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(detected).count() << " ms");
    CHECK(detected >= 9s);  // it was the read timeout, not another fault
    CHECK(detected < 16s);  // 10 s plus a backoff and a reconnect
    proxy.clear_faults();
    CHECK(eventually(delivered, 20s));
  }

  std::this_thread::sleep_for(500ms);  // a repeated row would arrive now
  const auto lines = file_lines(out);
  REQUIRE(lines.size() == static_cast<size_t>(next_id));
  for (int id = 1; id <= next_id; ++id)
    REQUIRE(lines[static_cast<size_t>(id - 1)] == expected_line(id));
  const std::string log = read_file(dir + "/stderr.log");
  CHECK(log.find("restarting from the last checkpoint") != std::string::npos);
  // Every connection of the run, the reconnections too, in the mode asked for.
  CHECK(log.find(tls ? "plain text" : "TLS ") == std::string::npos);
  CHECK(log.find(tls ? "TLS " : "plain text") != std::string::npos);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace

TEST_CASE("MariaDB source through network faults: the file holds every row once, in order") {
  mysql_through_faults(/*tls=*/false);
}

TEST_CASE(
    "MariaDB source over TLS through a cut inside a TLS record, a reset and a black hole: every "
    "row once, in order") {
  mysql_through_faults(/*tls=*/true);
}

namespace {

// kv rows "kv:<id>=<v>" of the table and of Redis, sorted.
std::vector<std::string> kv_of_table(MariaDbSession& sql) {
  std::vector<std::string> out;
  for (const auto& row : sql.query("SELECT id, v FROM fp.kv"))
    out.push_back("fpkv:" + *row[0] + "=" + *row[1]);
  std::sort(out.begin(), out.end());
  return out;
}
std::vector<std::string> kv_of_redis(RedisClient& redis) {
  std::vector<std::string> out;
  for (const auto& k : redis.keys("fpkv:*"))
    out.push_back(k + "=" + redis.get(k).value_or("<none>"));
  std::sort(out.begin(), out.end());
  return out;
}
// The seq of every entry of the stream, in stream order.
std::vector<int> stream_seqs(RedisClient& redis) {
  std::vector<int> out;
  for (const auto& e : redis.command({"XRANGE", "fp:log", "-", "+"}).items) {
    const auto& f = e.items.at(1).items;
    REQUIRE(f.size() == 6);                         // op, key, value
    out.push_back(std::stoi(f[3].text.substr(7)));  // {"seq":N}
  }
  return out;
}

// One transaction: an upsert of a few kv rows, a delete, and the next log row.
void kv_transaction(MariaDbSession& sql, int seq) {
  sql.run("BEGIN");
  for (int k = 0; k < 3; ++k) {
    const std::string id = std::to_string((seq * 7 + k * 13) % 50 + 1);
    sql.run("INSERT INTO fp.kv VALUES (" + id + ", 1) ON DUPLICATE KEY UPDATE v = v + 1");
  }
  sql.run("DELETE FROM fp.kv WHERE id = " + std::to_string((seq * 11) % 50 + 1));
  sql.run("INSERT INTO fp.log VALUES (" + std::to_string(seq) + ")");
  sql.run("COMMIT");
}

// The sink's faults against the services' Redis in plain text, or over TLS against a private
// redis-server's tls-port with a CA made here (then a cut lands inside a TLS record). `tls` runs
// the cuts, the reset and the black hole; plain text runs every fault.
void redis_through_faults(bool tls) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS fp");
  sql.run("DROP TABLE IF EXISTS fp.kv");
  sql.run("DROP TABLE IF EXISTS fp.log");
  sql.run("CREATE TABLE fp.kv (id INT PRIMARY KEY, v INT NOT NULL)");
  sql.run("CREATE TABLE fp.log (seq INT PRIMARY KEY)");
  const std::string dir = make_temp_dir("sluice-fault-redis");
  std::unique_ptr<PrivateRedis> private_redis;
  int tls_port = 0;
  if (tls) {
    make_test_ca(dir, "fp", "IP:127.0.0.1");
    tls_port = free_port();
    private_redis = std::make_unique<PrivateRedis>(
        dir, std::vector<std::string>{"--tls-port", std::to_string(tls_port), "--tls-cert-file",
                                      dir + "/fp-server.pem", "--tls-key-file",
                                      dir + "/fp-server-key.pem", "--tls-ca-cert-file",
                                      dir + "/fp-ca.pem", "--tls-auth-clients", "no"});
  }
  // The checks read Redis directly, on its plain port.
  auto redis_owner = tls ? std::make_unique<RedisClient>("127.0.0.1", private_redis->port())
                         : std::make_unique<RedisClient>();
  RedisClient& redis = *redis_owner;
  for (const auto& k : redis.keys("fpkv:*")) redis.command({"DEL", k});
  redis.command({"DEL", "fp:log"});
  redis.command({"DEL", "sluice:offset:fault-redis"});

  FaultProxy proxy(tls ? tls_port : service_port("SLUICE_REDIS_PORT"));
  const int metrics_port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << mysql_source_yaml("fp\\.(kv|log)", tls ? 5704 : 5702)
                        << "sink:\n  type: redis\n  host: 127.0.0.1\n  port: " << proxy.port()
                        << (tls ? "\n  tls: true\n  tls.ca: " + dir + "/fp-ca.pem" : std::string())
                        << "\n  value.format: upsert\n  batch.max-commands: 20\n"
                           "  connect.timeout: 1s\n  command.timeout: 2s\n"
                           "  tables:\n"
                           "    - {source-table: 'fp\\.kv', key: 'fpkv:{id}', value.column: v}\n"
                           "    - {source-table: 'fp\\.log', mode: stream, key: 'fp:log'}\n"
                        << pipeline_yaml(dir, "fault-redis", metrics_port);
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(metrics_port, sluice));

  int seq = 0;
  auto delivered = [&] {
    return std::stoul(redis.command({"XLEN", "fp:log"}).text) == static_cast<size_t>(seq);
  };
  auto under_fault = [&](const char* what, const std::function<void()>& inject,
                         bool reconnects = true) {
    INFO("fault: " << what);
    const uint64_t accepted = proxy.accepted();
    for (int i = 0; i < 5; ++i) kv_transaction(sql, ++seq);
    inject();
    for (int i = 0; i < 25; ++i) kv_transaction(sql, ++seq);
    if (reconnects) CHECK(eventually([&] { return proxy.accepted() > accepted; }, 20s));
    proxy.clear_faults();
    CHECK(eventually(delivered, 20s));
  };

  if (!tls) {
    under_fault(
        "latency", [&] { proxy.set_latency(30ms); }, false);
  }
  // 150 bytes into what sluice sends next: a MULTI ... EXEC cut before its EXEC (over TLS: inside
  // the TLS record that carries it).
  under_fault("cut the client's transaction", [&] { proxy.cut_after(Direction::to_server, 150); });
  under_fault("cut a reply", [&] { proxy.cut_after(Direction::to_client, 9); });
  under_fault("reset", [&] { proxy.reset_all(); });
  if (!tls) {
    under_fault("half-open: Redis sees the client's FIN",
                [&] { proxy.half_open(Direction::to_server); });
    under_fault("proxy restart", [&] {
      proxy.stop();
      std::this_thread::sleep_for(700ms);
      proxy.start();
    });
  }
  {  // A black hole on the replies: the command timeout (2 s) gives up on the connection.
    const uint64_t accepted = proxy.accepted();
    const auto start = std::chrono::steady_clock::now();
    proxy.blackhole(Direction::to_client);
    for (int i = 0; i < 10; ++i) kv_transaction(sql, ++seq);
    REQUIRE(eventually([&] { return proxy.accepted() > accepted; }, 15s));
    const auto detected = std::chrono::steady_clock::now() - start;
    MESSAGE("redis black hole detected after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(detected).count() << " ms");
    CHECK(detected >= 1800ms);
    CHECK(detected < 6s);
    proxy.clear_faults();
    CHECK(eventually(delivered, 20s));
  }

  std::this_thread::sleep_for(500ms);  // a repeated change would arrive now
  std::vector<int> expected(static_cast<size_t>(seq));
  for (int i = 0; i < seq; ++i) expected[static_cast<size_t>(i)] = i + 1;
  CHECK(stream_seqs(redis) == expected);
  CHECK(kv_of_redis(redis) == kv_of_table(sql));
  CHECK(kv_of_table(sql).size() > 10);
  CHECK(read_file(dir + "/stderr.log").find("restarting from the last checkpoint") !=
        std::string::npos);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace

TEST_CASE(
    "Redis sink through network faults: Redis equals the table, the stream has each change once") {
  redis_through_faults(/*tls=*/false);
}

TEST_CASE(
    "Redis sink over TLS (rediss) through cuts inside TLS records, a reset and a black hole: "
    "Redis equals the table, the stream has each change once") {
  redis_through_faults(/*tls=*/true);
}
