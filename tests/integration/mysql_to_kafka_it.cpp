// MariaDB → sluice → Kafka (the test broker), one pipeline per value format (debezium-json,
// upsert, canal-json) in one daemon: inserts, updates (including primary-key changes) and deletes
// across 3 tables, read back by an independent read_committed consumer and compared with golden
// files (keys, values, tombstones, headers, partitions; volatile fields such as timestamps and
// binlog offsets normalised). Every keyed record must sit on the Java client's murmur2 partition,
// and each key's records keep the source order (the golden files list them per partition).
// A second case: a real ALTER TABLE on the schema-change topic, between the rows it separates.
// To regenerate after an intended change: SLUICE_UPDATE_GOLDEN=1
// build/tests/integration/mysql_to_kafka_it
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "sinks/kafka/murmur2.h"
#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/golden_file.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kPartitions = 3;
const char* const kTables[] = {"users", "orders", "pairs"};

std::string indent(const std::string& text, const std::string& by) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out += by + line + "\n";
  return out;
}

// Timestamps, binlog coordinates, GTIDs and thread ids differ from run to run.
std::string normalise(std::string s) {
  static const std::regex numbers(R"re("(ts_ms|ts|es|pos|server_id|thread|execution_time)":\d+)re");
  static const std::regex strings(R"re("(file|gtid)":"[^"]*")re");
  static const std::regex gtid_ids(
      R"re("id":"\d+-\d+-\d+")re");  // transaction.id: the MariaDB GTID
  s = std::regex_replace(s, numbers, "\"$1\":0");
  s = std::regex_replace(s, strings, "\"$1\":\"*\"");
  s = std::regex_replace(s, gtid_ids, "\"id\":\"*\"");
  return s;
}

std::string render(const std::vector<ConsumedRecord>& records) {
  std::string out;
  for (const ConsumedRecord& r : records) {
    // Appended piecewise: "p" + std::string trips g++ 12's -Wrestrict (PR 105329).
    out += 'p';
    out += std::to_string(r.partition);
    out += " key=";
    out += r.key.value_or("<null>");
    out += " op=";
    out += r.headers.count("sluice.op") ? r.headers.at("sluice.op") : "-";
    out += "\n  ";
    out += r.value ? normalise(*r.value) : std::string("<tombstone>");
    out += '\n';
  }
  return out;
}

void check_golden(const std::string& format, const std::string& actual) {
  check_golden_file(source_dir() + "/tests/fixtures/kafka/mysql_to_kafka/" + format + ".txt",
                    actual);
}

}  // namespace

TEST_CASE("MariaDB to Kafka: 3 tables in debezium-json, upsert and canal-json, exactly once") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS kx_e2e");
  for (const char* t : kTables) sql.run(std::string("DROP TABLE IF EXISTS kx_e2e.") + t);
  sql.run(
      "CREATE TABLE kx_e2e.users (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, email "
      "VARCHAR(40))");
  sql.run(
      "CREATE TABLE kx_e2e.orders (id INT PRIMARY KEY, user_id INT NOT NULL, amount DECIMAL(8,2) "
      "NOT NULL, "
      "status VARCHAR(10))");
  sql.run("CREATE TABLE kx_e2e.pairs (a INT, b VARCHAR(10), v VARCHAR(20), PRIMARY KEY (a, b))");

  const std::unique_ptr<KafkaBackend> broker_owner =
      exactly_once_broker();  // deploy/kafka: a real one
  const KafkaBackend& broker = *broker_owner;
  const std::string& suffix = topic_suffix();
  const std::string dir = make_temp_dir("sluice-kafka-e2e");
  const int port = free_port();
  const std::map<std::string, int> formats = {
      {"debezium-json", 5521}, {"upsert", 5522}, {"canal-json", 5523}};
  std::string config = "pipelines:\n";
  for (const auto& [format, server_id] : formats) {
    const std::string name = "kx-" + format + suffix;
    config += "  - " + indent(mysql_source_yaml("kx_e2e\\..*", server_id), "    ").substr(4) +
              "    sink:\n"
              "      type: kafka\n"
              "      properties.bootstrap.servers: " +
              broker.bootstrap() +
              "\n"
              "      properties.linger.ms: 5\n"
              "      value.format: " +
              format +
              "\n"
              "      topic.partitions: " +
              std::to_string(kPartitions) +
              "\n"
              "    pipeline:\n"
              "      name: " +
              name +
              "\n"
              "      state.dir: " +
              dir + "/state-" + format +
              "\n"
              "      checkpoint.interval: 100ms\n"
              "      metrics.port: " +
              std::to_string(port) + "\n";
  }
  std::ofstream(dir + "/pipeline.yaml") << config;
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipeline.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  REQUIRE(wait_ready(port, sluice));

  sql.run("INSERT INTO kx_e2e.users VALUES (1, 'ann', 'a@x'), (2, 'bob', NULL), (3, 'cy', 'c@x')");
  sql.run("UPDATE kx_e2e.users SET name = 'bobby' WHERE id = 2");
  sql.run("UPDATE kx_e2e.users SET email = 'ann@x' WHERE id = 1");
  sql.run("UPDATE kx_e2e.users SET id = 30 WHERE id = 3");
  sql.run("DELETE FROM kx_e2e.users WHERE id = 1");
  sql.run("INSERT INTO kx_e2e.orders VALUES (10, 2, 9.50, 'new'), (11, 2, 3.00, 'new')");
  sql.run("UPDATE kx_e2e.orders SET status = 'paid' WHERE id = 10");
  sql.run("UPDATE kx_e2e.orders SET status = 'shipped' WHERE id = 10");
  sql.run("UPDATE kx_e2e.orders SET amount = 4.25 WHERE id = 11");
  sql.run("DELETE FROM kx_e2e.orders WHERE id = 11");
  sql.run("INSERT INTO kx_e2e.pairs VALUES (1, 'x', 'one'), (2, 'y', 'two')");
  sql.run("UPDATE kx_e2e.pairs SET v = 'uno' WHERE a = 1 AND b = 'x'");
  sql.run("UPDATE kx_e2e.pairs SET b = 'w' WHERE a = 2");
  sql.run("DELETE FROM kx_e2e.pairs WHERE a = 1");

  // Records each format makes of the 21 changes (users, orders, pairs): debezium-json adds a
  // tombstone per delete; upsert turns a key change into a tombstone plus the new row, and a
  // delete into a tombstone only.
  const std::map<std::string, std::vector<size_t>> expected_counts = {
      {"debezium-json", {8, 7, 6}}, {"upsert", {8, 6, 6}}, {"canal-json", {7, 6, 5}}};
  for (const auto& [format, counts] : expected_counts) {
    std::string golden;
    for (size_t t = 0; t < 3; ++t) {
      const std::string topic = "kx-" + format + suffix + ".kx_e2e." + kTables[t];
      std::vector<ConsumedRecord> records;
      for (int attempt = 0; attempt < 100 && records.size() < counts[t];
           ++attempt) {  // 20 s at most
        std::this_thread::sleep_for(200ms);
        REQUIRE(sluice.running());
        records = consume_records(broker, topic, kPartitions, true);
      }
      INFO(format << " " << topic);
      REQUIRE(records.size() == counts[t]);
      for (const ConsumedRecord& r : records) {
        REQUIRE(r.key.has_value());
        CHECK(r.partition == cdc::sinks::kafka::murmur2_partition(*r.key, kPartitions));
        CHECK(r.headers.count("sluice.position") == 1);
      }
      golden += "# " + topic + "\n" + render(records);
    }
    if (!suffix.empty()) {  // a real Kafka: names carry the run's suffix, the golden files do not
      for (size_t at; (at = golden.find(suffix)) != std::string::npos;)
        golden.erase(at, suffix.size());
    }
    check_golden(format, golden);
    // The sink's metrics count what was committed, per topic: records and key + value bytes.
    const std::string metrics =
        http_request("http://127.0.0.1:" + std::to_string(port) + "/metrics").second;
    const std::string users = "sluice_kafka_records_total{pipeline=\"kx-" + format + suffix +
                              "\",topic=\"kx-" + format + suffix + ".kx_e2e.users\"} " +
                              std::to_string(counts[0]) + "\n";
    CHECK_MESSAGE(metrics.find(users) != std::string::npos, "no line " << users);
    CHECK(metrics.find("sluice_kafka_transactions_total{pipeline=\"kx-" + format + suffix +
                       "\",result=\"aborted\"} 0\n") != std::string::npos);
  }
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(10s) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "MariaDB to Kafka: a real ALTER TABLE becomes a Debezium schema-change record, in order with "
    "the rows") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS kx_ddl");
  sql.run("DROP TABLE IF EXISTS kx_ddl.t");
  sql.run("CREATE TABLE kx_ddl.t (id INT PRIMARY KEY, name VARCHAR(20))");

  const std::unique_ptr<KafkaBackend> broker_owner = exactly_once_broker();
  const KafkaBackend& broker = *broker_owner;
  const std::string name = "kx-ddl" + topic_suffix();
  const std::string schema_topic = name + ".schema-changes";
  const std::string dir = make_temp_dir("sluice-kafka-ddl");
  const int port = free_port();
  std::ofstream(dir + "/pipeline.yaml") << mysql_source_yaml("kx_ddl\\..*", 5524) +
                                               "sink:\n"
                                               "  type: kafka\n"
                                               "  properties.bootstrap.servers: " +
                                               broker.bootstrap() +
                                               "\n"
                                               "  value.format: upsert\n"
                                               "  schema-change.topic: " +
                                               schema_topic +
                                               "\n"
                                               "pipeline:\n"
                                               "  name: " +
                                               name +
                                               "\n"
                                               "  state.dir: " +
                                               dir +
                                               "/state\n"
                                               "  checkpoint.interval: 100ms\n"
                                               "  metrics.port: " +
                                               std::to_string(port) + "\n";
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipeline.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  REQUIRE(wait_ready(port, sluice));

  sql.run("INSERT INTO kx_ddl.t VALUES (1, 'a')");
  sql.run("ALTER TABLE kx_ddl.t ADD COLUMN qty INT NOT NULL DEFAULT 0");
  sql.run("INSERT INTO kx_ddl.t VALUES (2, 'b', 5)");

  std::vector<ConsumedRecord> rows, changes;
  for (int attempt = 0; attempt < 100 && (rows.size() < 2 || changes.empty());
       ++attempt) {  // 20 s at most
    std::this_thread::sleep_for(200ms);
    REQUIRE(sluice.running());
    rows = consume_records(broker, name + ".kx_ddl.t", 1, true);
    changes = consume_records(broker, schema_topic, 1, true);
  }
  // The rows before and after the DDL, each with the columns of its time.
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "{\"id\":1}");
  CHECK(rows[0].value == "{\"id\":1,\"name\":\"a\"}");
  CHECK(rows[1].key == "{\"id\":2}");
  CHECK(rows[1].value == "{\"id\":2,\"name\":\"b\",\"qty\":5}");
  // One schema-change record: the statement as MariaDB logged it and the table after it.
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].key == "{\"databaseName\":\"kx_ddl\"}");
  REQUIRE(changes[0].value.has_value());
  const std::string& value = *changes[0].value;
  INFO(value);
  CHECK(value.find("\"source\":{\"connector\":\"mysql\",\"name\":\"" + name + "\",") == 1);
  CHECK(value.find("\"db\":\"kx_ddl\",\"table\":\"t\",") != std::string::npos);
  CHECK(
      value.find(
          ",\"databaseName\":\"kx_ddl\",\"schemaName\":null,"
          "\"ddl\":\"ALTER TABLE kx_ddl.t ADD COLUMN qty INT NOT NULL DEFAULT 0\","
          "\"tableChanges\":[{\"type\":\"ALTER\",\"id\":\"\\\"kx_ddl\\\".\\\"t\\\"\","
          "\"table\":{\"primaryKeyColumnNames\":[\"id\"],\"columns\":[{\"name\":\"id\","
          "\"typeName\":\"INT\","
          "\"typeExpression\":\"int(11)\",\"charsetName\":null,\"position\":1,\"optional\":false},"
          "{\"name\":\"name\",\"typeName\":\"VARCHAR\",\"typeExpression\":\"varchar(20)\",") !=
      std::string::npos);
  CHECK(value.ends_with(
      "{\"name\":\"qty\",\"typeName\":\"INT\",\"typeExpression\":\"int(11)\",\"charsetName\":null,"
      "\"position\":3,\"optional\":false}]}}]}"));
  CHECK(changes[0].headers.count("sluice.position") == 1);
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(10s) == 0);
  std::filesystem::remove_all(dir);
}
