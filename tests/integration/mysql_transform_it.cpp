// End to end: the route and transform examples of the Flink CDC documentation, written as
// sluice YAML, run against the real MariaDB into the file sink (canal-json, which shows the
// target table, the output columns' types and the primary key). Each example has its own
// tables; the expected lines are exact after the run-dependent fields (es, ts) are removed.

#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

using Lines = std::vector<std::string>;

// A canal-json line without the fields that differ per run (commit and processing times) and
// the constant ones (id, isDdl, sql, sqlType).
std::string normalized(const std::string& line) {
  static const std::regex kDropped(R"re("es":\d+,|"id":0,"isDdl":false,|"sql":"",|"sqlType":\{[^}]*\},|,"ts":\d+)re");
  return std::regex_replace(line, kDropped, "");
}

// The lines of `path` whose target is db.table, normalized, in file order.
std::map<std::string, Lines> lines_by_table(const std::string& path) {
  static const std::regex kTarget(R"re("database":"([^"]*)".*"table":"([^"]*)")re");
  std::map<std::string, Lines> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    const std::string n = normalized(line);
    if (std::regex_search(n, m, kTarget)) out[m[1].str() + "." + m[2].str()].push_back(n);
  }
  return out;
}

size_t line_count(const std::string& path) {
  size_t n = 0;
  for (const auto& [table, lines] : lines_by_table(path)) n += lines.size();
  return n;
}

// A started sluice with `yaml` (source, sink file <dir>/out.jsonl, stages); stops it with
// SIGTERM at the end.
class Sluice {
 public:
  Sluice(const std::string& name, const std::string& tables, int server_id, const std::string& stages)
      : dir_(make_temp_dir("sluice-transform-it")), port_(free_port()) {
    std::ofstream(dir_ + "/pipeline.yaml") << mysql_source_yaml(tables, server_id)
                                           << "sink:\n"
                                              "  type: file\n"
                                              "  path: " << out() << "\n"
                                              "  value.format: canal-json\n"
                                           << stages
                                           << "pipeline:\n"
                                              "  name: " << name << "\n"
                                              "  state.dir: " << dir_ << "/state\n"
                                              "  checkpoint.interval: 50ms\n"
                                              "  metrics.port: " << port_ << "\n";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{sluice_binary(), "run", dir_ + "/pipeline.yaml"}, dir_ + "/stdout.log",
        dir_ + "/stderr.log");
  }
  ~Sluice() { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  bool ready() { return wait_ready(port_, *process_); }
  std::string out() const { return dir_ + "/out.jsonl"; }
  std::string log() const { return read_file(dir_ + "/stderr.log"); }
  // Waits (up to 20 s) for `n` lines, then 300 ms more so that an extra line would show.
  std::map<std::string, Lines> wait_for(size_t n) {
    for (int i = 0; i < 200 && line_count(out()) < n; ++i) std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(300ms);
    return lines_by_table(out());
  }
  int stop() {
    process_->signal(SIGTERM);
    return process_->wait(20s).value_or(-1);
  }

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

void recreate(MariaDbSession& sql, const std::vector<std::string>& dbs) {
  for (const auto& db : dbs) {
    sql.run("DROP DATABASE IF EXISTS " + db);
    sql.run("CREATE DATABASE " + db);
  }
}

}  // namespace

TEST_CASE("Flink CDC route examples: one-to-one, many-to-one, combined rules, replace symbol, $1, one-to-many") {
  MariaDbSession sql;
  recreate(sql, {"rdb", "shards", "src_db", "cap_db"});
  for (const char* t : {"rdb.web_order", "rdb.orders", "rdb.shipments", "rdb.products", "shards.web_order_1",
                        "shards.web_order_2", "src_db.a", "src_db.b", "cap_db.users"}) {
    sql.run(std::string("CREATE TABLE ") + t + " (id INT PRIMARY KEY, v VARCHAR(16))");
  }
  Sluice sluice("route-examples", "rdb\\..*, shards\\..*, src_db\\..*, cap_db\\..*", 5611,
                "route:\n"
                "  - source-table: rdb.web_order\n"
                "    sink-table: rdb.ods_web_order\n"
                "    description: sync table to one destination table with given prefix ods_\n"
                "  - source-table: shards\\.*\n"
                "    sink-table: shards.ods_web_order\n"
                "    source-table-column: source_table\n"
                "    description: sync sharding tables to one destination table\n"
                "  - source-table: rdb.orders\n"
                "    sink-table: ods_db.ods_orders\n"
                "  - source-table: rdb.shipments\n"
                "    sink-table: ods_db.ods_shipments\n"
                "  - source-table: rdb.products\n"
                "    sink-table: ods_db.ods_products\n"
                "  - source-table: rdb.orders\n"
                "    sink-table: backup_sink_db.orders\n"
                "  - source-table: src_db.\\.*\n"
                "    sink-table: sink_db.<>\n"
                "    replace-symbol: <>\n"
                "  - source-table: cap_db.(\\.*)\n"
                "    sink-table: new_db.$1_v2\n");
  INFO("sluice log:\n" << sluice.log());
  REQUIRE(sluice.ready());

  sql.run("INSERT INTO rdb.web_order VALUES (1, 'a')");
  sql.run("INSERT INTO shards.web_order_1 VALUES (1, 's1')");
  sql.run("INSERT INTO shards.web_order_2 VALUES (1, 's2')");
  sql.run("INSERT INTO rdb.orders VALUES (1, 'o')");
  sql.run("INSERT INTO rdb.shipments VALUES (1, 's')");
  sql.run("INSERT INTO rdb.products VALUES (1, 'p')");
  sql.run("INSERT INTO src_db.a VALUES (1, 'a')");
  sql.run("INSERT INTO src_db.b VALUES (2, 'b')");
  sql.run("INSERT INTO cap_db.users VALUES (7, 'u')");
  sql.run("UPDATE rdb.web_order SET v = 'b' WHERE id = 1");
  sql.run("DELETE FROM shards.web_order_2 WHERE id = 1");

  const auto got = sluice.wait_for(13);
  const std::string kTypes = R"j("mysqlType":{"id":"int(11)","v":"varchar(16)"})j";
  const auto line = [&](const std::string& db, const std::string& table, const std::string& type,
                        const std::string& data, const std::string& old = "null",
                        const std::string& types = "") {
    return "{\"data\":[" + data + "],\"database\":\"" + db + "\"," + (types.empty() ? kTypes : types) +
           ",\"old\":" + old + ",\"pkNames\":[\"id\"],\"table\":\"" + table + "\",\"type\":\"" + type + "\"}";
  };
  const std::string kShardTypes =
      R"j("mysqlType":{"id":"int(11)","v":"varchar(16)","source_table":"varchar(256)"})j";
  const std::map<std::string, Lines> expected = {
      {"rdb.ods_web_order",
       {line("rdb", "ods_web_order", "INSERT", R"j({"id":"1","v":"a"})j"),
        line("rdb", "ods_web_order", "UPDATE", R"j({"id":"1","v":"b"})j", R"j([{"v":"a"}])j")}},
      {"shards.ods_web_order",
       {line("shards", "ods_web_order", "INSERT", R"j({"id":"1","v":"s1","source_table":"shards.web_order_1"})j",
             "null", kShardTypes),
        line("shards", "ods_web_order", "INSERT", R"j({"id":"1","v":"s2","source_table":"shards.web_order_2"})j",
             "null", kShardTypes),
        line("shards", "ods_web_order", "DELETE", R"j({"id":"1","v":"s2","source_table":"shards.web_order_2"})j",
             "null", kShardTypes)}},
      {"ods_db.ods_orders", {line("ods_db", "ods_orders", "INSERT", R"j({"id":"1","v":"o"})j")}},
      {"backup_sink_db.orders", {line("backup_sink_db", "orders", "INSERT", R"j({"id":"1","v":"o"})j")}},
      {"ods_db.ods_shipments", {line("ods_db", "ods_shipments", "INSERT", R"j({"id":"1","v":"s"})j")}},
      {"ods_db.ods_products", {line("ods_db", "ods_products", "INSERT", R"j({"id":"1","v":"p"})j")}},
      {"sink_db.a", {line("sink_db", "a", "INSERT", R"j({"id":"1","v":"a"})j")}},
      {"sink_db.b", {line("sink_db", "b", "INSERT", R"j({"id":"2","v":"b"})j")}},
      {"new_db.users_v2", {line("new_db", "users_v2", "INSERT", R"j({"id":"7","v":"u"})j")}},
  };
  for (const auto& [table, lines] : expected) {
    INFO("table " << table);
    CHECK(got.count(table) == 1);
    if (got.count(table)) CHECK(got.at(table) == lines);
  }
  CHECK(got.size() == expected.size());
  CHECK(sluice.stop() == 0);
}
