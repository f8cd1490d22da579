// Statement-based changes on the real MariaDB while a pipeline runs: a session with
// binlog_format=STATEMENT (user variables, RAND(), LAST_INSERT_ID(), LOAD DATA) and one with
// MIXED (which logs a safe statement as text). With the default statement-events: fail the
// pipeline passes statements on tables it does not capture and stops at the first one on a
// captured table, naming the statement, the table, the position and the setting, having
// written nothing past it; with
// statement-events: warn it passes them over with a warning and keeps delivering the row-based
// changes around them, exactly once each.
#include <doctest/doctest.h>

#include <signal.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

std::string config(const std::string& dir, const std::string& name, int server_id, int port,
                   const std::string& extra_source) {
  return mysql_source_yaml("st_e2e\\.items", server_id) + extra_source +
         "sink:\n"
         "  type: file\n"
         "  path: " +
         dir + "/" + name +
         ".jsonl\n"
         "  value.format: upsert\n"
         "pipeline:\n"
         "  name: " +
         name +
         "\n"
         "  state.dir: " +
         dir + "/state-" + name +
         "\n"
         "  checkpoint.interval: 100ms\n"
         "  metrics.port: " +
         std::to_string(port) + "\n";
}

void reset_tables(MariaDbSession& sql) {
  sql.run("CREATE DATABASE IF NOT EXISTS st_e2e");
  sql.run("DROP TABLE IF EXISTS st_e2e.items");
  sql.run("DROP TABLE IF EXISTS st_e2e.other");
  sql.run("CREATE TABLE st_e2e.items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20))");
  sql.run("CREATE TABLE st_e2e.other (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20))");
}

// Row-based changes (the `row` session) around statement-based ones.
void make_changes(MariaDbSession& row, MariaDbSession& statement, MariaDbSession& mixed,
                  const std::string& csv) {
  row.run("INSERT INTO st_e2e.items VALUES (1, 'r1')");
  statement.run("INSERT INTO st_e2e.other (name) VALUES ('not captured')");
  row.run("INSERT INTO st_e2e.items VALUES (2, 'r2')");
  statement.run("SET @who = 'ann'");
  statement.run("INSERT INTO st_e2e.items (name) VALUES (@who)");
  statement.run("UPDATE st_e2e.items SET name = CONCAT('x', LAST_INSERT_ID()) WHERE id = 1");
  statement.run("INSERT INTO st_e2e.items (name) VALUES (RAND(3))");
  statement.run("LOAD DATA INFILE '" + csv +
                "' INTO TABLE st_e2e.items FIELDS TERMINATED BY ',' (id, name)");
  mixed.run("DELETE FROM st_e2e.items WHERE id = 2");
  row.run("INSERT INTO st_e2e.items VALUES (99, 'r99')");
}

}  // namespace

TEST_CASE("statement-based changes: fail names the statement; warn passes them over") {
  MariaDbSession row;
  MariaDbSession statement(MariaDbSession::As::root);
  MariaDbSession mixed;
  reset_tables(row);
  statement.run("SET SESSION binlog_format = STATEMENT");
  mixed.run("SET SESSION binlog_format = MIXED");
  const std::string dir = make_temp_dir("sluice-statement-events");
  // Read by the server (LOAD DATA INFILE, as root): outside the test's private directory.
  const std::string csv = "/tmp/sluice-statement-events-" + std::to_string(::getpid()) + ".csv";
  std::ofstream(csv) << "50,load-a\n51,load-b\n";
  std::filesystem::permissions(
      csv, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);

  // warn: every row-based change exactly once, each captured statement a warning.
  const int port = free_port();
  std::ofstream(dir + "/warn.yaml")
      << config(dir, "st-warn", 5571, port, "  statement-events: warn\n");
  INFO("sluice log: " << dir << "/warn.err");
  ChildProcess warn({sluice_binary(), "run", dir + "/warn.yaml"}, dir + "/warn.out",
                    dir + "/warn.err");
  REQUIRE(wait_ready(port, warn));
  make_changes(row, statement, mixed, csv);
  for (int i = 0; i < 400 && file_lines(dir + "/st-warn.jsonl").size() < 3; ++i) {
    REQUIRE(warn.running());
    std::this_thread::sleep_for(50ms);
  }
  CHECK(file_lines(dir + "/st-warn.jsonl") ==
        std::vector<std::string>{R"({"key":{"id":1},"value":{"id":1,"name":"r1"}})",
                                 R"({"key":{"id":2},"value":{"id":2,"name":"r2"}})",
                                 R"({"key":{"id":99},"value":{"id":99,"name":"r99"}})"});
  const std::string log = read_file(dir + "/warn.err");
  size_t warnings = 0;
  for (size_t at = log.find("skipped statement-based "); at != std::string::npos;
       at = log.find("skipped statement-based ", at + 1)) {
    ++warnings;
  }
  // INSERT @who, UPDATE, INSERT RAND, LOAD DATA, and the MIXED session's DELETE; not the
  // statement on st_e2e.other.
  CHECK(warnings == 5);
  CHECK(log.find(
            "skipped statement-based LOAD DATA of st_e2e.items in EXECUTE_LOAD_QUERY (18) at ") !=
        std::string::npos);
  CHECK(log.find("skipped statement-based DELETE of st_e2e.items in QUERY (2) at ") !=
        std::string::npos);
  CHECK(log.find("st_e2e.other") == std::string::npos);
  CHECK(warn.running());
  warn.signal(SIGTERM);
  CHECK(warn.wait(20s) == 0);

  // fail (the default): the first captured statement stops the pipeline; the rows before it
  // were delivered, the statement on a table not captured passed.
  reset_tables(row);
  const int port2 = free_port();
  std::ofstream(dir + "/fail.yaml") << config(dir, "st-fail", 5572, port2, "");
  ChildProcess fail({sluice_binary(), "run", dir + "/fail.yaml"}, dir + "/fail.out",
                    dir + "/fail.err");
  REQUIRE(wait_ready(port2, fail));
  make_changes(row, statement, mixed, csv);
  CHECK(fail.wait(30s) == 1);
  const std::string err = read_file(dir + "/fail.err");
  INFO(err);
  CHECK(err.find("statement-based INSERT of st_e2e.items in QUERY (2) at mysql-bin.") !=
        std::string::npos);
  CHECK(err.find(": 'INSERT INTO st_e2e.items (name) VALUES (@who)'; the binlog holds the "
                 "statement, not its rows (binlog_format=STATEMENT or MIXED in the writing "
                 "session): set binlog_format=ROW for the writing sessions (SET GLOBAL "
                 "binlog_format=ROW), or statement-events: warn to pass such statements over") !=
        std::string::npos);
  // What it wrote before stopping is a prefix of the row changes before the statement (the
  // rows decoded in the poll that met the statement are not handed over).
  const std::vector<std::string> before_statement = {
      R"({"key":{"id":1},"value":{"id":1,"name":"r1"}})",
      R"({"key":{"id":2},"value":{"id":2,"name":"r2"}})"};
  const auto written = file_lines(dir + "/st-fail.jsonl");
  REQUIRE(written.size() <= before_statement.size());
  CHECK(std::equal(written.begin(), written.end(), before_statement.begin()));
  std::system(("rm -rf '" + dir + "' '" + csv + "'").c_str());
}
