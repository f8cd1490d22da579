// Partial row images on the real MariaDB: while one sluice runs eight pipelines on the same table
// (file debezium-json, file upsert with row-image.partial: skip, Redis hash, Redis string with
// skip, Kafka debezium-json and Kafka upsert with skip, the Kafka ones on the test broker, and
// Doris with skip, fixed and flexible partial updates, on the Doris test server),
// sessions with binlog_row_image=MINIMAL and NOBLOB insert, update and delete rows between
// FULL ones. The pipelines keep running and each output is exactly what README "Partial row
// images" says. A second sluice with a file upsert sink and the default row-image.partial:
// fail stops at the first partial row, naming the table, the columns and the setting.
#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/doris_process.h"
#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

using Strings = std::vector<std::string>;

std::string indent(const std::string& text, const std::string& by) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out += by + line + "\n";
  return out;
}

// One pipeline of the file: the shared source, `sink` (YAML lines at sink level), its name.
std::string pipeline(const std::string& name, int server_id, const std::string& sink,
                     const std::string& dir, int metrics_port) {
  return "  - " + indent(mysql_source_yaml("pi_e2e\\.items", server_id), "    ").substr(4) +
         "    sink:\n" + indent(sink, "      ") +
         "    pipeline:\n"
         "      name: " +
         name +
         "\n"
         "      state.dir: " +
         dir + "/state-" + name +
         "\n"
         "      checkpoint.interval: 100ms\n"
         "      metrics.port: " +
         std::to_string(metrics_port) + "\n";
}

// "op before after [absent]" of a debezium-json value (the row objects hold scalars only here;
// `absent` is source.absent, when there).
std::string debezium_rows(const std::string& value) {
  static const std::regex shape(
      R"re(^\{"before":(null|\{[^}]*\}),"after":(null|\{[^}]*\}),"source":.*"op":"(\w)")re");
  static const std::regex absent(R"re("query":[^,]*,"absent":(\{[^}]*\})\},"op")re");
  std::smatch m, a;
  if (!std::regex_search(value, m, shape)) return "unexpected: " + value;
  std::string out = m[3].str() + " " + m[1].str() + " " + m[2].str();
  if (std::regex_search(value, a, absent)) out += " " + a[1].str();
  return out;
}

// The changes made in the test, as debezium-json shows them: absent columns are not keys, and
// source.absent names them per image.
const Strings kDebeziumRows = {
    R"(c null {"id":1,"name":"a","qty":1,"note":"n1"})",
    // MINIMAL: the insert carries the given and generated columns only.
    R"(c null {"id":2,"name":"b"} {"after":["qty","note"]})",
    // MINIMAL update: the before image is the key; the after image the assigned columns,
    // with the key from the before image (it was not assigned, so it did not change).
    R"(u {"id":1} {"id":1,"qty":5} {"before":["name","qty","note"],"after":["name","note"]})",
    R"(u {"id":1} {"id":1,"name":null} {"before":["name","qty","note"],"after":["qty","note"]})",
    R"(d {"id":2} null {"before":["name","qty","note"]})",
    // NOBLOB: every column but the TEXT one that the statement did not give.
    R"(c null {"id":3,"name":"c","qty":7} {"after":["note"]})",
    R"(u {"id":3,"name":"c","qty":7} {"id":3,"name":"c","qty":9} {"before":["note"],"after":["note"]})",
    R"(u {"id":3,"name":"c","qty":9} {"id":3,"name":"c","qty":9,"note":"n3"} {"before":["note"]})",
    R"(c null {"id":99,"name":"end","qty":0,"note":"e"})",
};

// upsert with skip: whole rows only; deletes are tombstones (a key is all they need).
const Strings kUpsertLines = {
    R"({"key":{"id":1},"value":{"id":1,"name":"a","qty":1,"note":"n1"}})",
    R"({"key":{"id":2},"value":null})",
    R"({"key":{"id":3},"value":{"id":3,"name":"c","qty":9,"note":"n3"}})",
    R"({"key":{"id":99},"value":{"id":99,"name":"end","qty":0,"note":"e"}})",
};

void make_changes(MariaDbSession& full, MariaDbSession& minimal, MariaDbSession& noblob) {
  full.run("INSERT INTO pi_e2e.items VALUES (1, 'a', 1, 'n1')");
  minimal.run("INSERT INTO pi_e2e.items (name) VALUES ('b')");
  minimal.run("UPDATE pi_e2e.items SET qty = 5 WHERE id = 1");
  minimal.run("UPDATE pi_e2e.items SET name = NULL WHERE id = 1");
  minimal.run("DELETE FROM pi_e2e.items WHERE id = 2");
  noblob.run("INSERT INTO pi_e2e.items (name) VALUES ('c')");
  noblob.run("UPDATE pi_e2e.items SET qty = 9 WHERE id = 3");
  noblob.run("UPDATE pi_e2e.items SET note = 'n3' WHERE id = 3");
  full.run("INSERT INTO pi_e2e.items VALUES (99, 'end', 0, 'e')");
}

template <class F>
bool wait_until(ChildProcess& sluice, F done) {
  for (int i = 0; i < 400; ++i) {  // 20 s
    if (done()) return true;
    if (!sluice.running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

}  // namespace

TEST_CASE("MINIMAL and NOBLOB sessions: each sink follows its partial-row rule, none stops") {
  MariaDbSession full, minimal, noblob;
  full.run("CREATE DATABASE IF NOT EXISTS pi_e2e");
  full.run("DROP TABLE IF EXISTS pi_e2e.items");
  full.run(
      "CREATE TABLE pi_e2e.items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20), "
      "qty INT DEFAULT 7, note TEXT)");
  minimal.run("SET SESSION binlog_row_image = MINIMAL");
  noblob.run("SET SESSION binlog_row_image = NOBLOB");

  RedisClient redis;
  for (const char* p : {"ph:*", "ps:*", "sluice:offset:pi-*"}) {
    for (const auto& k : redis.keys(p)) redis.command({"DEL", k});
  }
  const std::unique_ptr<KafkaBackend> broker = exactly_once_broker();
  const std::string& suffix = topic_suffix();
  DorisProcess doris;
  const std::string dir = make_temp_dir("sluice-partial-image");
  const int port = free_port();
  const std::string redis_at = "host: " + service_value("SLUICE_REDIS_HOST") +
                               "\nport: " + service_value("SLUICE_REDIS_PORT") + "\n";
  const std::string kafka_at = "type: kafka\nproperties.bootstrap.servers: " + broker->bootstrap() +
                               "\nproperties.linger.ms: 5\ntopic.partitions: 1\n";
  const std::string doris_at =
      "type: doris\nfenodes: 127.0.0.1:" + std::to_string(doris.fe_port()) + "\npassword: '" +
      doris.password() + "'\n";
  std::ofstream(dir + "/pipelines.yaml")
      << "pipelines:\n"
      << pipeline("pi-file-dbz", 5561, "type: file\npath: " + dir + "/dbz.jsonl\n", dir, port)
      << pipeline("pi-file-upsert", 5562,
                  "type: file\npath: " + dir +
                      "/upsert.jsonl\nvalue.format: upsert\nrow-image.partial: skip\n",
                  dir, port)
      << pipeline("pi-redis-hash", 5563,
                  "type: redis\n" + redis_at + "mode: hash\nkey: 'ph:{id}'\n", dir, port)
      << pipeline("pi-redis-string", 5564,
                  "type: redis\n" + redis_at + "key: 'ps:{id}'\nrow-image.partial: skip\n", dir,
                  port)
      << pipeline("pi-kafka-dbz" + suffix, 5565, kafka_at, dir, port)
      << pipeline("pi-kafka-upsert" + suffix, 5566,
                  kafka_at + "value.format: upsert\nrow-image.partial: skip\n", dir, port)
      << pipeline("pi-doris", 5567, doris_at + "row-image.partial: skip\n", dir, port)
      << pipeline("pi-doris-flex", 5568,
                  doris_at +
                      "row-image.partial: skip\ntable.identifier: 'pi_flex.{table}'\n"
                      "sink.properties.unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS\n",
                  dir, port);
  INFO("sluice log: " << dir << "/stderr.log");
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipelines.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  REQUIRE(wait_ready(port, sluice));

  make_changes(full, minimal, noblob);

  // file, debezium-json: every change, absent columns left out of before and after.
  REQUIRE(wait_until(sluice, [&] { return file_lines(dir + "/dbz.jsonl").size() >= 9; }));
  Strings rows;
  for (const std::string& line : file_lines(dir + "/dbz.jsonl"))
    rows.push_back(debezium_rows(line));
  CHECK(rows == kDebeziumRows);

  // file, upsert with skip: the whole rows and the deletes; five partial changes skipped.
  REQUIRE(wait_until(sluice, [&] { return file_lines(dir + "/upsert.jsonl").size() >= 4; }));
  CHECK(file_lines(dir + "/upsert.jsonl") == kUpsertLines);

  // Redis hash: the present fields are written, the absent ones stay as they were.
  REQUIRE(wait_until(sluice, [&] { return redis.hash("ph:99") != ""; }));
  CHECK(redis.hash("ph:1") == "id=1\nnote=n1\nqty=5");
  CHECK(redis.hash("ph:3") == "id=3\nname=c\nnote=n3\nqty=9");
  CHECK(redis.keys("ph:*") == Strings{"ph:1", "ph:3", "ph:99"});

  // Redis string with skip: only whole rows are written (ps:1 keeps its FULL insert: the
  // MINIMAL updates of id 1 were skipped, as the option says), deletes still delete.
  REQUIRE(wait_until(sluice, [&] { return redis.get("ps:99").has_value(); }));
  CHECK(redis.get("ps:1") ==
        std::optional<std::string>(R"({"id":1,"name":"a","qty":1,"note":"n1"})"));
  CHECK(redis.get("ps:3") ==
        std::optional<std::string>(R"({"id":3,"name":"c","qty":9,"note":"n3"})"));
  CHECK(redis.keys("ps:*") == Strings{"ps:1", "ps:3", "ps:99"});

  // Kafka debezium-json: as the file, plus the tombstone after the delete.
  const std::string dbz_topic = "pi-kafka-dbz" + suffix + ".pi_e2e.items";
  std::vector<ConsumedRecord> records;
  for (int attempt = 0; attempt < 100 && records.size() < 10; ++attempt) {
    std::this_thread::sleep_for(200ms);
    REQUIRE(sluice.running());
    records = consume_records(*broker, dbz_topic, 1, true);
  }
  Strings kafka_rows;
  for (const ConsumedRecord& r : records) {
    kafka_rows.push_back(r.value ? debezium_rows(*r.value) : "tombstone " + r.key.value_or("-"));
  }
  Strings want = kDebeziumRows;
  want.insert(want.begin() + 5, R"(tombstone {"id":2})");
  CHECK(kafka_rows == want);

  // Kafka upsert with skip: the same records as the upsert file.
  const std::string upsert_topic = "pi-kafka-upsert" + suffix + ".pi_e2e.items";
  records.clear();
  for (int attempt = 0; attempt < 100 && records.size() < 4; ++attempt) {
    std::this_thread::sleep_for(200ms);
    REQUIRE(sluice.running());
    records = consume_records(*broker, upsert_topic, 1, true);
  }
  Strings upsert_records;
  for (const ConsumedRecord& r : records) {
    upsert_records.push_back("{\"key\":" + r.key.value_or("null") +
                             ",\"value\":" + r.value.value_or("null") + "}");
  }
  CHECK(upsert_records == kUpsertLines);

  // Doris with skip: updates and deletes with absent columns are partial column loads (the
  // columns they lack keep the stored values), inserts with absent columns are skipped (a new
  // row would take Doris's defaults): the MINIMAL insert of id 2 and the NOBLOB one of id 3 are
  // left out; id 3's NOBLOB update then makes its row with `note` NULL, and its last update,
  // which carries `note`, completes it. The table ends equal to MariaDB's.
  const auto expected = full.query("SELECT id, name, qty, note FROM pi_e2e.items ORDER BY id");
  REQUIRE(expected.size() == 3);
  // The Doris table of `db` once it equals MariaDB's (or after 30 s).
  const auto doris_items = [&](const std::string& db) {
    std::optional<SqlRows> got;
    for (int attempt = 0; attempt < 150; ++attempt) {
      got = doris.try_sql(db, "SELECT id, name, qty, note FROM items ORDER BY id");
      if ((got && *got == expected) || !sluice.running()) break;
      std::this_thread::sleep_for(200ms);
    }
    return got;
  };
  const std::optional<SqlRows> fixed = doris_items("pi_e2e");
  REQUIRE(fixed.has_value());
  CHECK(*fixed == expected);
  CHECK((*fixed)[0][3] == std::optional<std::string>("n1"));  // kept through two partial updates
  // The same with flexible partial updates (one load may mix rows of different columns), into
  // a table created with the skip-bitmap column they need.
  const std::optional<SqlRows> flexible = doris_items("pi_flex");
  REQUIRE(flexible.has_value());
  CHECK(*flexible == expected);
  CHECK(doris.stat("partial") >= 2);   // the fixed-column pipeline's partial loads
  CHECK(doris.stat("flexible") >= 1);  // every load of the flexible one

  // Each skip is warned about: the first of each sink names the table, columns and setting.
  const std::string log = read_file(dir + "/stderr.log");
  CHECK(log.find("skipped the insert of pi_e2e.items at ") != std::string::npos);
  CHECK(log.find("has no value for column(s) qty, note (the writing session had "
                 "binlog_row_image=MINIMAL or NOBLOB): Redis string mode writes whole rows") !=
        std::string::npos);
  CHECK(log.find("binlog_row_image=MINIMAL or NOBLOB): the Doris sink writes whole rows") !=
        std::string::npos);
  CHECK(sluice.running());
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);

  // The default, row-image.partial: fail, stops at the first partial row (the MINIMAL insert).
  // The same changes once more, on the table made anew.
  full.run("DROP TABLE pi_e2e.items");
  full.run(
      "CREATE TABLE pi_e2e.items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20), "
      "qty INT DEFAULT 7, note TEXT)");
  const int port2 = free_port();
  std::ofstream(dir + "/fail.yaml")
      << "pipelines:\n"
      << pipeline("pi-file-fail", 5567,
                  "type: file\npath: " + dir + "/fail.jsonl\nvalue.format: upsert\n", dir, port2);
  ChildProcess failing({sluice_binary(), "run", dir + "/fail.yaml"}, dir + "/fail.out",
                       dir + "/fail.err");
  REQUIRE(wait_ready(port2, failing));
  make_changes(full, minimal, noblob);
  CHECK(failing.wait(30s) == 1);
  const std::string err = read_file(dir + "/fail.err");
  INFO(err);
  CHECK(err.find("the insert of pi_e2e.items at ") != std::string::npos);
  CHECK(err.find("has no value for column(s) qty, note (the writing session had "
                 "binlog_row_image=MINIMAL or NOBLOB), and the upsert format writes whole rows: "
                 "set binlog_row_image=FULL in that session, or row-image.partial: skip to "
                 "leave such changes out") != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}
