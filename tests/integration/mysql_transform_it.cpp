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
  static const std::regex kDropped(
      R"re("es":\d+,|"id":0,"isDdl":false,|"sql":"",|"sqlType":\{[^}]*\},|,"ts":\d+)re");
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
  Sluice(const std::string& name, const std::string& tables, int server_id,
         const std::string& stages)
      : dir_(make_temp_dir("sluice-transform-it")), port_(free_port()) {
    std::ofstream(dir_ + "/pipeline.yaml") << mysql_source_yaml(tables, server_id)
                                           << "sink:\n"
                                              "  type: file\n"
                                              "  path: "
                                           << out()
                                           << "\n"
                                              "  value.format: canal-json\n"
                                           << stages
                                           << "pipeline:\n"
                                              "  name: "
                                           << name
                                           << "\n"
                                              "  state.dir: "
                                           << dir_
                                           << "/state\n"
                                              "  checkpoint.interval: 50ms\n"
                                              "  metrics.port: "
                                           << port_ << "\n";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{sluice_binary(), "run", dir_ + "/pipeline.yaml"},
        dir_ + "/stdout.log", dir_ + "/stderr.log");
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
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    return process_->wait(timeout);
  }
  std::string config() const { return dir_ + "/pipeline.yaml"; }

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// Every expected table got exactly its lines, and no other table got any.
void check_tables(const std::map<std::string, Lines>& got,
                  const std::map<std::string, Lines>& expected) {
  for (const auto& [table, lines] : expected) {
    INFO("table " << table);
    CHECK(got.count(table) == 1);
    // Joined, so that a failure prints both sides.
    const auto joined = [](const Lines& l) {
      std::string out;
      for (const auto& line : l) out += line + "\n";
      return out;
    };
    if (got.count(table)) CHECK(joined(got.at(table)) == joined(lines));
  }
  CHECK(got.size() == expected.size());
}

void recreate(MariaDbSession& sql, const std::vector<std::string>& dbs) {
  for (const auto& db : dbs) {
    sql.run("DROP DATABASE IF EXISTS " + db);
    sql.run("CREATE DATABASE " + db);
  }
}

}  // namespace

TEST_CASE(
    "Flink CDC route examples: one-to-one, many-to-one, combined rules, replace symbol, $1, "
    "one-to-many") {
  MariaDbSession sql;
  recreate(sql, {"rdb", "shards", "src_db", "cap_db"});
  for (const char* t :
       {"rdb.web_order", "rdb.orders", "rdb.shipments", "rdb.products", "shards.web_order_1",
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

  const auto got = sluice.wait_for(12);
  const std::string kTypes = R"j("mysqlType":{"id":"int(11)","v":"varchar(16)"})j";
  const auto line = [&](const std::string& db, const std::string& table, const std::string& type,
                        const std::string& data, const std::string& old = "null",
                        const std::string& types = "") {
    return "{\"data\":[" + data + "],\"database\":\"" + db + "\"," +
           (types.empty() ? kTypes : types) + ",\"old\":" + old +
           ",\"pkNames\":[\"id\"],\"table\":\"" + table + "\",\"type\":\"" + type + "\"}";
  };
  const std::string kShardTypes =
      R"j("mysqlType":{"id":"int(11)","v":"varchar(16)","source_table":"varchar(256)"})j";
  const std::map<std::string, Lines> expected = {
      {"rdb.ods_web_order",
       {line("rdb", "ods_web_order", "INSERT", R"j({"id":"1","v":"a"})j"),
        line("rdb", "ods_web_order", "UPDATE", R"j({"id":"1","v":"b"})j", R"j([{"v":"a"}])j")}},
      {"shards.ods_web_order",
       {line("shards", "ods_web_order", "INSERT",
             R"j({"id":"1","v":"s1","source_table":"shards.web_order_1"})j", "null", kShardTypes),
        line("shards", "ods_web_order", "INSERT",
             R"j({"id":"1","v":"s2","source_table":"shards.web_order_2"})j", "null", kShardTypes),
        line("shards", "ods_web_order", "DELETE",
             R"j({"id":"1","v":"s2","source_table":"shards.web_order_2"})j", "null", kShardTypes)}},
      {"ods_db.ods_orders", {line("ods_db", "ods_orders", "INSERT", R"j({"id":"1","v":"o"})j")}},
      {"backup_sink_db.orders",
       {line("backup_sink_db", "orders", "INSERT", R"j({"id":"1","v":"o"})j")}},
      {"ods_db.ods_shipments",
       {line("ods_db", "ods_shipments", "INSERT", R"j({"id":"1","v":"s"})j")}},
      {"ods_db.ods_products",
       {line("ods_db", "ods_products", "INSERT", R"j({"id":"1","v":"p"})j")}},
      {"sink_db.a", {line("sink_db", "a", "INSERT", R"j({"id":"1","v":"a"})j")}},
      {"sink_db.b", {line("sink_db", "b", "INSERT", R"j({"id":"2","v":"b"})j")}},
      {"new_db.users_v2", {line("new_db", "users_v2", "INSERT", R"j({"id":"7","v":"u"})j")}},
  };
  check_tables(got, expected);
  CHECK(sluice.stop() == 0);
}

TEST_CASE(
    "Flink CDC transform examples: computed, metadata, '*', filters, keys, classification, "
    "SOFT_DELETE") {
  MariaDbSession sql;
  recreate(sql, {"tdb"});
  const std::vector<std::string> tables = {
      "web_order_computed", "web_order_meta",    "web_order_star", "app_order_star",
      "web_order_filter",   "web_order_cfilter", "web_order_pk",   "web_order_cpk",
      "web_order_class",    "web_order_soft"};
  for (const auto& t : tables) {
    sql.run("CREATE TABLE tdb." + t +
            " (id INT PRIMARY KEY, order_id INT, product_name VARCHAR(32), province VARCHAR(32))");
  }
  // The rules as the Flink CDC documentation writes them, each on its own table.
  Sluice sluice("transform-examples", "tdb\\..*", 5612,
                "transform:\n"
                "  - source-table: tdb.web_order_computed\n"
                "    projection: id, order_id, UPPER(product_name) as product_name, localtimestamp "
                "as new_timestamp\n"
                "    description: append calculated columns based on source table\n"
                "  - source-table: tdb.web_order_meta\n"
                "    projection: id, order_id, __namespace_name__ || '.' || __schema_name__ || '.' "
                "|| __table_name__ identifier_name\n"
                "    description: access metadata columns from source table\n"
                "  - source-table: tdb.web_order_star\n"
                "    projection: \\*, UPPER(product_name) as product_name\n"
                "    description: project fields with wildcard character from source table\n"
                "  - source-table: tdb.app_order_star\n"
                "    projection: UPPER(product_name) as product_name, *\n"
                "    description: project fields with wildcard character from source table\n"
                "  - source-table: tdb.web_order_filter\n"
                "    filter: id > 10 AND order_id > 100\n"
                "    description: filtering rows from source table\n"
                "  - source-table: tdb.web_order_cfilter\n"
                "    projection: id, order_id, UPPER(province) as new_province\n"
                "    filter: new_province = 'SHANGHAI'\n"
                "    description: filtering rows based on computed columns\n"
                "  - source-table: tdb.web_order_pk\n"
                "    projection: id, order_id\n"
                "    primary-keys: order_id\n"
                "    description: reassign primary key example\n"
                "  - source-table: tdb.web_order_cpk\n"
                "    projection: id, order_id, UPPER(product_name) as product_name\n"
                "    primary-keys: order_id, product_name\n"
                "    partition-keys: product_name\n"
                "    description: reassign composite primary keys example\n"
                "  - source-table: tdb.web_order_class\n"
                "    projection: id, order_id\n"
                "    filter: UPPER(province) = 'SHANGHAI'\n"
                "    description: classification mapping example\n"
                "  - source-table: tdb.web_order_class\n"
                "    projection: order_id as id, id as order_id\n"
                "    filter: UPPER(province) = 'BEIJING'\n"
                "    description: classification mapping example\n"
                "  - source-table: tdb.web_order_soft\n"
                "    projection: \\*, __data_event_type__ AS op_type\n"
                "    converter-after-transform: SOFT_DELETE\n");
  INFO("sluice log:\n" << sluice.log());
  REQUIRE(sluice.ready());

  for (const auto& t : tables) {
    sql.run("INSERT INTO tdb." + t +
            " VALUES (1, 50, 'apple', 'shanghai'), (11, 150, 'pear', 'beijing'), " +
            "(12, 90, 'fig', 'shanghai')");
    sql.run("UPDATE tdb." + t + " SET product_name = 'kiwi' WHERE id = 1");
    sql.run("DELETE FROM tdb." + t + " WHERE id = 11");
  }

  auto got = sluice.wait_for(45);
  // LOCALTIMESTAMP differs per run: checked for its shape, then replaced.
  static const std::regex kNow(R"j("new_timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}")j");
  for (auto& l : got["tdb.web_order_computed"])
    l = std::regex_replace(l, kNow, R"j("new_timestamp":"<now>")j");

  const auto line = [](const std::string& table, const std::string& type, const std::string& data,
                       const std::string& types, const std::string& old = "null",
                       const std::string& pk = R"j(["id"])j") {
    return "{\"data\":[" + data + "],\"database\":\"tdb\",\"mysqlType\":{" + types +
           "},\"old\":" + old + ",\"pkNames\":" + pk + ",\"table\":\"" + table + "\",\"type\":\"" +
           type + "\"}";
  };
  const std::string kInt = R"j("id":"int(11)","order_id":"int(11)")j";
  const std::string kAll = kInt + R"j(,"product_name":"varchar(32)","province":"varchar(32)")j";
  const std::map<std::string, Lines> expected = {
      {"tdb.web_order_computed",
       [&] {
         const std::string t = "web_order_computed";
         const std::string types =
             kInt + R"j(,"product_name":"STRING","new_timestamp":"TIMESTAMP(3)")j";
         return Lines{
             line(t, "INSERT",
                  R"j({"id":"1","order_id":"50","product_name":"APPLE","new_timestamp":"<now>"})j",
                  types),
             line(t, "INSERT",
                  R"j({"id":"11","order_id":"150","product_name":"PEAR","new_timestamp":"<now>"})j",
                  types),
             line(t, "INSERT",
                  R"j({"id":"12","order_id":"90","product_name":"FIG","new_timestamp":"<now>"})j",
                  types),
             line(t, "UPDATE",
                  R"j({"id":"1","order_id":"50","product_name":"KIWI","new_timestamp":"<now>"})j",
                  types, R"j([{"product_name":"APPLE"}])j"),
             line(t, "DELETE",
                  R"j({"id":"11","order_id":"150","product_name":"PEAR","new_timestamp":"<now>"})j",
                  types)};
       }()},
      {"tdb.web_order_meta",
       [&] {
         const std::string t = "web_order_meta";
         const std::string types = kInt + R"j(,"identifier_name":"STRING")j";
         const auto data = [](const char* id, const char* order) {
           return std::string(R"j({"id":")j") + id + R"j(","order_id":")j" + order +
                  R"j(","identifier_name":"tdb.tdb.web_order_meta"})j";
         };
         return Lines{
             line(t, "INSERT", data("1", "50"), types), line(t, "INSERT", data("11", "150"), types),
             line(t, "INSERT", data("12", "90"), types), line(t, "UPDATE", data("1", "50"), types),
             line(t, "DELETE", data("11", "150"), types)};
       }()},
      {"tdb.web_order_star",
       [&] {
         const std::string t = "web_order_star";
         const std::string types = kInt + R"j(,"product_name":"STRING","province":"varchar(32)")j";
         return Lines{
             line(t, "INSERT",
                  R"j({"id":"1","order_id":"50","product_name":"APPLE","province":"shanghai"})j",
                  types),
             line(t, "INSERT",
                  R"j({"id":"11","order_id":"150","product_name":"PEAR","province":"beijing"})j",
                  types),
             line(t, "INSERT",
                  R"j({"id":"12","order_id":"90","product_name":"FIG","province":"shanghai"})j",
                  types),
             line(t, "UPDATE",
                  R"j({"id":"1","order_id":"50","product_name":"KIWI","province":"shanghai"})j",
                  types, R"j([{"product_name":"APPLE"}])j"),
             line(t, "DELETE",
                  R"j({"id":"11","order_id":"150","product_name":"PEAR","province":"beijing"})j",
                  types)};
       }()},
      {"tdb.app_order_star",
       [&] {
         const std::string t = "app_order_star";
         const std::string types =
             R"j("product_name":"STRING",)j" + kInt + R"j(,"province":"varchar(32)")j";
         return Lines{
             line(t, "INSERT",
                  R"j({"product_name":"APPLE","id":"1","order_id":"50","province":"shanghai"})j",
                  types),
             line(t, "INSERT",
                  R"j({"product_name":"PEAR","id":"11","order_id":"150","province":"beijing"})j",
                  types),
             line(t, "INSERT",
                  R"j({"product_name":"FIG","id":"12","order_id":"90","province":"shanghai"})j",
                  types),
             line(t, "UPDATE",
                  R"j({"product_name":"KIWI","id":"1","order_id":"50","province":"shanghai"})j",
                  types, R"j([{"product_name":"APPLE"}])j"),
             line(t, "DELETE",
                  R"j({"product_name":"PEAR","id":"11","order_id":"150","province":"beijing"})j",
                  types)};
       }()},
      {"tdb.web_order_filter",
       {line("web_order_filter", "INSERT",
             R"j({"id":"11","order_id":"150","product_name":"pear","province":"beijing"})j", kAll),
        line("web_order_filter", "DELETE",
             R"j({"id":"11","order_id":"150","product_name":"pear","province":"beijing"})j",
             kAll)}},
      {"tdb.web_order_cfilter",
       [&] {
         const std::string t = "web_order_cfilter";
         const std::string types = kInt + R"j(,"new_province":"STRING")j";
         return Lines{
             line(t, "INSERT", R"j({"id":"1","order_id":"50","new_province":"SHANGHAI"})j", types),
             line(t, "INSERT", R"j({"id":"12","order_id":"90","new_province":"SHANGHAI"})j", types),
             line(t, "UPDATE", R"j({"id":"1","order_id":"50","new_province":"SHANGHAI"})j", types)};
       }()},
      {"tdb.web_order_pk",
       [&] {
         const std::string t = "web_order_pk";
         const std::string pk = R"j(["order_id"])j";
         return Lines{line(t, "INSERT", R"j({"id":"1","order_id":"50"})j", kInt, "null", pk),
                      line(t, "INSERT", R"j({"id":"11","order_id":"150"})j", kInt, "null", pk),
                      line(t, "INSERT", R"j({"id":"12","order_id":"90"})j", kInt, "null", pk),
                      line(t, "UPDATE", R"j({"id":"1","order_id":"50"})j", kInt, "null", pk),
                      line(t, "DELETE", R"j({"id":"11","order_id":"150"})j", kInt, "null", pk)};
       }()},
      {"tdb.web_order_cpk",
       [&] {
         const std::string t = "web_order_cpk";
         const std::string pk = R"j(["order_id","product_name"])j";
         const std::string types = kInt + R"j(,"product_name":"STRING")j";
         return Lines{line(t, "INSERT", R"j({"id":"1","order_id":"50","product_name":"APPLE"})j",
                           types, "null", pk),
                      line(t, "INSERT", R"j({"id":"11","order_id":"150","product_name":"PEAR"})j",
                           types, "null", pk),
                      line(t, "INSERT", R"j({"id":"12","order_id":"90","product_name":"FIG"})j",
                           types, "null", pk),
                      line(t, "UPDATE", R"j({"id":"1","order_id":"50","product_name":"KIWI"})j",
                           types, R"j([{"product_name":"APPLE"}])j", pk),
                      line(t, "DELETE", R"j({"id":"11","order_id":"150","product_name":"PEAR"})j",
                           types, "null", pk)};
       }()},
      {"tdb.web_order_class",
       [&] {
         const std::string t = "web_order_class";
         const std::string swapped_pk = R"j(["order_id"])j";  // the source key id is now order_id
         return Lines{
             line(t, "INSERT", R"j({"id":"1","order_id":"50"})j", kInt),
             line(t, "INSERT", R"j({"id":"150","order_id":"11"})j", kInt, "null", swapped_pk),
             line(t, "INSERT", R"j({"id":"12","order_id":"90"})j", kInt),
             line(t, "UPDATE", R"j({"id":"1","order_id":"50"})j", kInt),
             line(t, "DELETE", R"j({"id":"150","order_id":"11"})j", kInt, "null", swapped_pk)};
       }()},
      {"tdb.web_order_soft",
       [&] {
         const std::string t = "web_order_soft";
         const std::string types = kAll + R"j(,"op_type":"STRING")j";
         return Lines{
             line(
                 t, "INSERT",
                 R"j({"id":"1","order_id":"50","product_name":"apple","province":"shanghai","op_type":"+I"})j",
                 types),
             line(
                 t, "INSERT",
                 R"j({"id":"11","order_id":"150","product_name":"pear","province":"beijing","op_type":"+I"})j",
                 types),
             line(
                 t, "INSERT",
                 R"j({"id":"12","order_id":"90","product_name":"fig","province":"shanghai","op_type":"+I"})j",
                 types),
             line(
                 t, "UPDATE",
                 R"j({"id":"1","order_id":"50","product_name":"kiwi","province":"shanghai","op_type":"+U"})j",
                 types, R"j([{"product_name":"apple","op_type":"-U"}])j"),
             // The delete arrives as an insert of the deleted row, marked -D.
             line(
                 t, "INSERT",
                 R"j({"id":"11","order_id":"150","product_name":"pear","province":"beijing","op_type":"-D"})j",
                 types)};
       }()},
  };
  check_tables(got, expected);
  CHECK(sluice.stop() == 0);
}

TEST_CASE(
    "a transform that does not fit the table stops the pipeline, naming file:line:col, table, "
    "column and expression") {
  MariaDbSession sql;
  recreate(sql, {"edb"});
  sql.run("CREATE TABLE edb.t (id INT PRIMARY KEY, name VARCHAR(16))");
  // edb.t exists when the pipeline starts (the schema history reads it from
  // information_schema): the error comes at start, before anything is read.
  Sluice sluice("transform-error", "edb\\..*", 5613,
                "transform:\n"
                "  - source-table: edb.t\n"
                "    projection: id, UPPER(nmae) AS upper_name\n");
  CHECK(sluice.wait_exit(20s) == 1);
  const std::string log = sluice.log();
  INFO(log);
  const std::string config = read_file(sluice.config());
  size_t line_start = 0;  // of line 16, the projection
  for (int line = 1; line < 16; ++line) line_start = config.find('\n', line_start) + 1;
  REQUIRE(config.compare(line_start, 36, "    projection: id, UPPER(nmae) AS u") == 0);
  CHECK(log.find("checking the stages against the schema of edb.t at start: " + sluice.config() +
                 ":16:21: transform[0] projection for table edb.t: at column 7 of 'UPPER(nmae)': "
                 "unknown column 'nmae' in table edb.t (did you mean 'name'?)") !=
        std::string::npos);
  CHECK(line_count(sluice.out()) == 0);

  // A table created while the pipeline runs is known only from the stream: the same error
  // stops the pipeline at its first row.
  Sluice late("transform-error-late", "edb\\..*", 5614,
              "transform:\n"
              "  - source-table: edb.late\n"
              "    projection: id, UPPER(nmae) AS upper_name\n");
  REQUIRE(late.ready());
  sql.run("CREATE TABLE edb.late (id INT PRIMARY KEY, name VARCHAR(16))");
  sql.run("INSERT INTO edb.late VALUES (1, 'a')");
  CHECK(late.wait_exit(20s) == 1);
  const std::string late_log = late.log();
  INFO(late_log);
  CHECK(late_log.find(
            "stage: " + late.config() +
            ":16:21: transform[0] projection for table edb.late: at column 7 of 'UPPER(nmae)': "
            "unknown column 'nmae' in table edb.late (did you mean 'name'?)") != std::string::npos);
  CHECK(late_log.find("at start") == std::string::npos);
  CHECK(line_count(late.out()) == 0);

  // A syntax error in a projection list is refused before anything runs.
  const std::string bad = make_temp_dir("sluice-transform-it") + "/bad.yaml";
  std::string text = read_file(sluice.config());
  text.replace(text.find("UPPER(nmae) AS upper_name"), 25, "UPPER(name");
  std::ofstream(bad) << text;
  ChildProcess validate({sluice_binary(), "validate", bad}, bad + ".out", bad + ".err");
  CHECK(validate.wait(20s) == 2);
  // The error names its place in the file, which says more than the pipeline's name.
  CHECK(read_file(bad + ".err") ==
        bad + ":16:17: transform[0] projection: at column 15 of 'id, UPPER(name': missing ')'\n" +
            "sluice: 1 problem in " + bad + "\n");
}
