// MariaDB → sluice → Redis in every mode (string, hash, invalidate, stream), checked key by key
// after inserts, updates (including primary-key changes) and deletes.

#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

using Strings = std::vector<std::string>;

void delete_matching(RedisClient& redis, const std::string& pattern) {
  for (const auto& k : redis.keys(pattern)) redis.command({"DEL", k});
}

bool wait_for_key(RedisClient& redis, const std::string& key, ChildProcess& sluice) {
  for (int i = 0; i < 300; ++i) {  // 15 s
    if (redis.command({"EXISTS", key}).text == "1") return true;
    if (!sluice.running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// One stream entry as "op|key|value" ("-" for a field that is absent).
std::string entry_text(const RedisValue& entry) {
  std::string op = "-", key = "-", value = "-";
  const auto& fields = entry.items.at(1).items;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].text == "op") op = fields[i + 1].text;
    if (fields[i].text == "key") key = fields[i + 1].text;
    if (fields[i].text == "value") value = fields[i + 1].text;
  }
  return op + "|" + key + "|" + value;
}

}  // namespace

TEST_CASE("MariaDB to Redis: string, hash, invalidate and stream modes, key by key") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS rs_e2e");
  for (const char* t : {"users", "pairs", "products", "sessions", "events", "nk"}) {
    sql.run(std::string("DROP TABLE IF EXISTS rs_e2e.") + t);
  }
  sql.run(
      "CREATE TABLE rs_e2e.users (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, email "
      "VARCHAR(40))");
  sql.run("CREATE TABLE rs_e2e.pairs (a INT, b VARCHAR(10), v VARCHAR(20), PRIMARY KEY (a, b))");
  sql.run(
      "CREATE TABLE rs_e2e.products (id INT PRIMARY KEY, sku VARCHAR(10) NOT NULL, "
      "price DECIMAL(8,2) NOT NULL, note VARCHAR(10))");
  sql.run("CREATE TABLE rs_e2e.sessions (id INT PRIMARY KEY, token VARCHAR(20))");
  sql.run("CREATE TABLE rs_e2e.events (id INT PRIMARY KEY, kind VARCHAR(10))");
  sql.run("CREATE TABLE rs_e2e.nk (id INT PRIMARY KEY, code VARCHAR(10))");

  RedisClient redis;
  for (const char* p :
       {"user:*", "product:*", "session:*", "code:*", "rs_e2e:*", "sluice:offset:rs-e2e"}) {
    delete_matching(redis, p);
  }
  // Cached values the invalidations must remove (session:2 is never touched).
  for (const char* k : {"session:1", "session:2", "session:5"}) redis.command({"SET", k, "cached"});
  RedisClient subscriber;
  subscriber.command({"SUBSCRIBE", "inval"});

  const std::string dir = make_temp_dir("sluice-redis-e2e");
  const int port = free_port();
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config)
      << mysql_source_yaml("rs_e2e\\..*", 5511)
      << "sink:\n"
         "  type: redis\n"
         "  host: "
      << service_value("SLUICE_REDIS_HOST")
      << "\n"
         "  port: "
      << service_value("SLUICE_REDIS_PORT")
      << "\n"
         "  key.separator: '|'\n"
         "  key.null-handling: skip\n"
         "  value.format: upsert\n"
         "  tables:\n"
         "    - {source-table: 'rs_e2e\\.users', key: 'user:{id}', ttl: 1h}\n"
         "    - {source-table: 'rs_e2e\\.pairs', value.column: v}\n"
         "    - {source-table: 'rs_e2e\\.products', mode: hash, key: 'product:{id}',\n"
         "       hash.changed-columns-only: true}\n"
         "    - {source-table: 'rs_e2e\\.sessions', mode: invalidate, key: 'session:{id}',\n"
         "       invalidate.channel: inval}\n"
         "    - {source-table: 'rs_e2e\\.events', mode: stream}\n"
         "    - {source-table: 'rs_e2e\\.nk', key: 'code:{code}'}\n"
         "pipeline:\n"
         "  name: rs-e2e\n"
         "  state.dir: "
      << dir
      << "/state\n"
         "  checkpoint.interval: 50ms\n"
         "  metrics.port: "
      << port << "\n";
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(wait_ready(port, sluice));

  sql.run("INSERT INTO rs_e2e.users VALUES (1, 'ann', 'a@x'), (2, 'bob', NULL), (3, 'cy', 'c@x')");
  sql.run("UPDATE rs_e2e.users SET name = 'bobby' WHERE id = 2");
  sql.run("UPDATE rs_e2e.users SET id = 30 WHERE id = 3");
  sql.run("DELETE FROM rs_e2e.users WHERE id = 1");

  sql.run("INSERT INTO rs_e2e.pairs VALUES (1, 'x', 'one'), (2, 'y', 'two'), (3, 'z', NULL)");
  sql.run("UPDATE rs_e2e.pairs SET v = 'uno' WHERE a = 1");
  sql.run("UPDATE rs_e2e.pairs SET b = 'w' WHERE a = 2");

  sql.run("INSERT INTO rs_e2e.products VALUES (1, 'A1', 9.50, 'n'), (2, 'B2', 3.00, NULL)");
  REQUIRE(wait_for_key(redis, "product:1", sluice));
  // A field sluice does not own: an update of only the changed columns leaves it alone.
  redis.command({"HSET", "product:1", "extra", "keep"});
  sql.run("UPDATE rs_e2e.products SET price = 10.25, note = NULL WHERE id = 1");
  sql.run("UPDATE rs_e2e.products SET id = 20 WHERE id = 2");

  sql.run("INSERT INTO rs_e2e.sessions VALUES (1, 't1')");
  sql.run("UPDATE rs_e2e.sessions SET id = 5 WHERE id = 1");
  sql.run("DELETE FROM rs_e2e.sessions WHERE id = 5");

  sql.run("INSERT INTO rs_e2e.events VALUES (1, 'a'), (2, 'b')");
  sql.run("UPDATE rs_e2e.events SET kind = 'c' WHERE id = 1");
  sql.run("DELETE FROM rs_e2e.events WHERE id = 2");

  sql.run("INSERT INTO rs_e2e.nk VALUES (1, 'k1'), (2, NULL)");
  sql.run("INSERT INTO rs_e2e.users VALUES (99, 'end', NULL)");  // the last change: when it is
                                                                 // there, all is
  REQUIRE(wait_for_key(redis, "user:99", sluice));

  // string mode: the row as JSON, with its TTL; moved and deleted rows are gone.
  CHECK_FALSE(redis.get("user:1"));
  CHECK(redis.get("user:2") ==
        std::optional<std::string>(R"({"id":2,"name":"bobby","email":null})"));
  CHECK_FALSE(redis.get("user:3"));
  CHECK(redis.get("user:30") ==
        std::optional<std::string>(R"({"id":30,"name":"cy","email":"c@x"})"));
  const long pttl = std::stol(redis.command({"PTTL", "user:2"}).text);
  CHECK(pttl > 3'500'000);
  CHECK(pttl <= 3'600'000);
  CHECK(redis.keys("user:*") == Strings{"user:2", "user:30", "user:99"});

  // string mode with value.column and the default key {db}:{table}:{pk}, pk joined by '|'.
  CHECK(redis.get("rs_e2e:pairs:1|x") == std::optional<std::string>("uno"));
  CHECK(redis.get("rs_e2e:pairs:2|w") == std::optional<std::string>("two"));
  CHECK(redis.command({"PTTL", "rs_e2e:pairs:2|w"}).text == "-1");
  // 2|y moved to 2|w; 3|z has a NULL value: no key.
  CHECK(redis.keys("rs_e2e:pairs:*") == Strings{"rs_e2e:pairs:1|x", "rs_e2e:pairs:2|w"});

  // hash mode, changed columns only: price set, note removed, the foreign field kept.
  CHECK(redis.hash("product:1") == "extra=keep\nid=1\nprice=10.25\nsku=A1");
  CHECK(redis.hash("product:20") == "id=20\nprice=3.00\nsku=B2");
  CHECK(redis.keys("product:*") == Strings{"product:1", "product:20"});

  // invalidate mode: the touched keys deleted, each announced once per change.
  CHECK(redis.keys("session:*") == Strings{"session:2"});
  Strings messages;
  while (auto m = subscriber.next_message(messages.size() < 4 ? 2000ms : 300ms))
    messages.push_back(*m);
  CHECK(messages == Strings{"session:1", "session:1", "session:5", "session:5"});

  // stream mode: each change once, in commit order; the upsert delete has no value.
  const RedisValue entries = redis.command({"XRANGE", "rs_e2e:events:changes", "-", "+"});
  Strings stream;
  for (const auto& e : entries.items) stream.push_back(entry_text(e));
  CHECK(stream == Strings{R"(c|{"id":1}|{"id":1,"kind":"a"})", R"(c|{"id":2}|{"id":2,"kind":"b"})",
                          R"(u|{"id":1}|{"id":1,"kind":"c"})", R"(d|{"id":2}|-)"});

  // A NULL key column under key.null-handling: skip writes no key like "code:".
  CHECK(redis.keys("code:*") == Strings{"code:k1"});
  CHECK(read_file(dir + "/stderr.log").find("key column 'code' is NULL") != std::string::npos);

  // The metrics count what was sent.
  const auto metrics = http_request("http://127.0.0.1:" + std::to_string(port) + "/metrics").second;
  CHECK(metrics.find("sluice_redis_commands_total{command=\"xadd\",pipeline=\"rs-e2e\"} 4") !=
        std::string::npos);
  CHECK(metrics.find("sluice_redis_skipped_rows_total{pipeline=\"rs-e2e\"} 1") !=
        std::string::npos);

  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}
