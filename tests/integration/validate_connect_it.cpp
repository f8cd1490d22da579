// `sluice validate --connect` against the real MariaDB and Redis of tools/services.sh: the start
// checks of `run`, every problem of a pipeline in one report, nothing read or written.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

CommandResult validate_connect(const std::string& file) {
  return run_command({sluice_binary(), "validate", "--connect", file}, 60s);
}

std::string source_yaml(const std::string& user, const std::string& password,
                        const std::string& tables) {
  return mysql_source_yaml(tables, 5641, user, password);
}

// Sets a global server variable for the test and puts the old value back.
class GlobalSetting {
 public:
  GlobalSetting(MariaDbSession& root, std::string name, const std::string& value)
      : root_(root), name_(std::move(name)) {
    old_ = *root_.query("SELECT @@global." + name_)[0][0];
    root_.run("SET GLOBAL " + name_ + " = '" + value + "'");
  }
  ~GlobalSetting() { root_.run("SET GLOBAL " + name_ + " = '" + old_ + "'"); }

 private:
  MariaDbSession& root_;
  std::string name_;
  std::string old_;
};

}  // namespace

TEST_CASE("validate --connect: a pipeline the servers accept is ok, and nothing is read") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS vc");
  sql.run("DROP TABLE IF EXISTS vc.items");
  sql.run("CREATE TABLE vc.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  const std::string dir = make_temp_dir("sluice-validate-connect-it");
  const std::string file = dir + "/ok.yaml";
  std::ofstream(file) << source_yaml(service_value("SLUICE_MARIADB_USER"),
                                     service_value("SLUICE_MARIADB_PASSWORD"), "vc\\.items")
                      << "transform:\n"
                         "  - source-table: vc.items\n"
                         "    projection: id, UPPER(v) AS v\n"
                         "    filter: id > 0\n"
                         "sink:\n"
                         "  type: redis\n"
                         "  port: "
                      << service_value("SLUICE_REDIS_PORT")
                      << "\n"
                         "pipeline:\n"
                         "  name: vc-ok\n"
                         "  state.dir: "
                      << dir << "/state\n";
  const auto r = validate_connect(file);
  CHECK(r.err == "");
  CHECK(r.out == file + ": ok (1 pipeline, servers checked)\n");
  CHECK(r.exit_code == 0);
  // No replica connected (a dump would have shown in the process list while it ran) and no
  // state dir was made.
  CHECK_FALSE(std::filesystem::exists(dir + "/state"));
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("validate --connect: a login the server refuses is the one problem of that source") {
  const std::string dir = make_temp_dir("sluice-validate-connect-it");
  const std::string file = dir + "/badpw.yaml";
  std::ofstream(file) << source_yaml(service_value("SLUICE_MARIADB_USER"), "wrong-password",
                                     "vc\\.items")
                      << "sink: {type: stdout}\n"
                         "pipeline: {name: vc-pw, state.dir: "
                      << dir << "/state}\n";
  const auto r = validate_connect(file);
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        file + ": pipeline 'vc-pw': source: cannot connect to 127.0.0.1:" +
            service_value("SLUICE_MARIADB_PORT") + " as " + service_value("SLUICE_MARIADB_USER") +
            ": Access denied for user '" + service_value("SLUICE_MARIADB_USER") +
            "'@'127.0.0.1' (using password: YES) (1045)\nsluice: 1 problem in " + file + "\n");
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("validate --connect: settings, privileges, tables, columns and the sink, all at once") {
  MariaDbSession sql;
  MariaDbSession root(MariaDbSession::As::root);
  sql.run("CREATE DATABASE IF NOT EXISTS vc");
  sql.run("DROP TABLE IF EXISTS vc.items");
  sql.run("CREATE TABLE vc.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  sql.run("DROP TABLE IF EXISTS vc.notes");
  sql.run("CREATE TABLE vc.notes (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  // A user that may read the tables but not the binlog.
  root.run("DROP USER IF EXISTS 'vc_reader'@'127.0.0.1'");
  root.run("CREATE USER 'vc_reader'@'127.0.0.1' IDENTIFIED BY 'vc_pw'");
  root.run("GRANT SELECT ON vc.* TO 'vc_reader'@'127.0.0.1'");
  GlobalSetting format(root, "binlog_format", "MIXED");

  const std::string dir = make_temp_dir("sluice-validate-connect-it");
  const std::string file = dir + "/bad.yaml";
  const int closed_port = free_port();
  std::ofstream(file) << source_yaml("vc_reader", "vc_pw", "vc\\.items, vc\\.notes, vc\\.nosuch")
                      << "transform:\n"
                         "  - source-table: vc.items\n"
                         "    projection: id, nosuch\n"
                         "  - source-table: vc.notes\n"
                         "    filter: v + 1 > 0\n"
                         "sink:\n"
                         "  type: redis\n"
                         "  port: "
                      << closed_port
                      << "\n"
                         "pipeline:\n"
                         "  name: vc-bad\n"
                         "  state.dir: "
                      << dir << "/state\n";
  const auto r = validate_connect(file);
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  const std::string server = "127.0.0.1:" + service_value("SLUICE_MARIADB_PORT");
  const std::string at = file + ": pipeline 'vc-bad': ";
  CHECK(r.err ==
        at + "source: server " + server +
            " has binlog_format=MIXED: set binlog_format=ROW (SET GLOBAL "
            "binlog_format=ROW and in my.cnf)\n" +
            at + "source: user 'vc_reader' on server " + server +
            " lacks REPLICATION SLAVE, which reading the binlog needs (GRANT REPLICATION SLAVE ON "
            "*.* TO ...)\n" +
            at +
            "source: the start position: SHOW MASTER STATUS: Access denied; you need (at least "
            "one of) the SUPER, BINLOG MONITOR privilege(s) for this operation (1227)\n" +
            at + "source: tables pattern 'vc\\.nosuch' matches no table on server " + server +
            "\n" + file +
            ":12:21: transform[0] projection for table vc.items: at column 1 of 'nosuch': unknown "
            "column 'nosuch' in table vc.items\n" +
            file +
            ":14:13: transform[1] filter for table vc.notes: at column 1 of 'v + 1 > 0': operator "
            "+ needs numbers, got STRING (use CAST(... AS DECIMAL(p, s)) or CONCAT)\n" +
            at + "sink: redis: cannot connect to 127.0.0.1:" + std::to_string(closed_port) +
            " db 0: Connection refused\n" + "sluice: 7 problems in " + file + "\n");
  root.run("DROP USER 'vc_reader'@'127.0.0.1'");
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("validate --connect: every server of a hostname list is checked, each named") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS vc");
  sql.run("CREATE TABLE IF NOT EXISTS vc.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  const std::string dir = make_temp_dir("sluice-validate-connect-it");
  const std::string file = dir + "/list.yaml";
  const int closed_port = free_port();
  // The services' server, then one where nothing listens: `port` is the first one's.
  std::string yaml = source_yaml(service_value("SLUICE_MARIADB_USER"),
                                 service_value("SLUICE_MARIADB_PASSWORD"), "vc\\.items");
  const std::string one = "hostname: 127.0.0.1\n";
  yaml.replace(yaml.find(one), one.size(),
               "hostname: 127.0.0.1, 127.0.0.1:" + std::to_string(closed_port) + "\n");
  std::ofstream(file) << yaml
                      << "sink: {type: stdout}\npipeline: {name: vc-list, state.dir: " << dir
                      << "/state}\n";
  const auto r = validate_connect(file);
  CHECK(r.exit_code == 1);
  const std::string closed = "127.0.0.1:" + std::to_string(closed_port);
  // The errno in libmariadb's text is the socket's (111 or 115): not compared.
  CHECK(r.err.starts_with(file + ": pipeline 'vc-list': source: server " + closed +
                          ": cannot connect to " + closed + " as " +
                          service_value("SLUICE_MARIADB_USER") +
                          ": Can't connect to server on '127.0.0.1' ("));
  CHECK(r.err.ends_with(") (2002)\nsluice: 1 problem in " + file + "\n"));
  std::system(("rm -rf '" + dir + "'").c_str());
}
