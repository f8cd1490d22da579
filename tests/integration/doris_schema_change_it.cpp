// pipeline.schema.change.behavior with the Doris sink, MariaDB → Doris test server through
// `sluice run`: each of Flink CDC's five modes meets RENAME COLUMN, a type change, ADD and DROP
// COLUMN and TRUNCATE mid-stream, and the Doris table is checked column by column and row by
// row (the test server runs the ALTER TABLE statements and refuses what Doris refuses).

#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/integration/doris_compare.h"
#include "tests/integration/doris_process.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

struct Run {
  MariaDbSession sql;
  DorisProcess doris;
  std::string db;
  std::string dir;
  int port = free_port();
  std::unique_ptr<ChildProcess> sluice;

  Run(const std::string& database, const std::string& behavior, int server_id) : db(database) {
    sql.run("DROP DATABASE IF EXISTS " + db);
    sql.run("CREATE DATABASE " + db);
    sql.run("CREATE TABLE " + db +
            ".t (id INT PRIMARY KEY, a VARCHAR(10) NOT NULL, b INT, c VARCHAR(20))");
    dir = make_temp_dir("sluice-doris-schema");
    const std::string config = write_doris_config(dir, db, db + "\\..*", doris, server_id, port);
    // The pipeline section is last in the file: its key goes at the end.
    std::ofstream(config, std::ios::app) << "  schema.change.behavior: " << behavior << "\n";
    sluice =
        std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                       dir + "/stdout.log", dir + "/stderr.log");
    REQUIRE(wait_ready(port, *sluice));
    sql.run("INSERT INTO " + db + ".t VALUES (1, 'one', 1, 'c1'), (2, 'two', 2, 'c2')");
    expect_equal(sql, doris, db, "t", "id");
  }
  ~Run() { std::system(("rm -rf '" + dir + "'").c_str()); }

  // Doris's columns as "<name> <type> <Yes|No>".
  std::vector<std::string> doris_columns() {
    std::vector<std::string> out;
    for (const auto& row : doris.sql(db, "DESC t"))
      out.push_back(*row[0] + " " + *row[1] + " " + *row[2]);
    return out;
  }
  SqlRows doris_select(const std::string& cols) {
    return doris.sql(db, "SELECT " + cols + " FROM t ORDER BY id");
  }
  // Waits until Doris holds `n` rows of `cols` equal to `expected`.
  void wait_rows(const std::string& cols, const SqlRows& expected) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = doris.try_sql(db, "SELECT " + cols + " FROM t ORDER BY id");
      if (got && *got == expected) return;
      std::this_thread::sleep_for(50ms);
    }
    CHECK(doris_select(cols) == expected);
  }
  std::string log() { return read_file(dir + "/stderr.log"); }
  void stop() {
    sluice->signal(SIGTERM);
    CHECK(sluice->wait(20s) == 0);
  }
};

using Cells = std::vector<std::optional<std::string>>;

}  // namespace

TEST_CASE("doris schema.change.behavior evolve: RENAME and MODIFY follow the source, data kept") {
  Run r("dse", "evolve", 5761);
  r.sql.run("ALTER TABLE dse.t RENAME COLUMN b TO bb");
  r.sql.run("ALTER TABLE dse.t MODIFY c VARCHAR(40)");
  r.sql.run("INSERT INTO dse.t VALUES (3, 'three', 3, REPEAT('x', 40))");
  expect_equal(r.sql, r.doris, "dse", "t", "id");  // bb of rows 1 and 2 kept through the rename
  CHECK(r.doris_columns() == std::vector<std::string>{"id INT No", "a VARCHAR(30) No", "bb INT Yes",
                                                      "c VARCHAR(120) Yes"});
  r.sql.run("ALTER TABLE dse.t DROP COLUMN bb");
  r.sql.run("TRUNCATE TABLE dse.t");
  r.sql.run("INSERT INTO dse.t VALUES (4, 'four', 'c4')");
  expect_equal(r.sql, r.doris, "dse", "t", "id");
  CHECK(r.doris_columns().size() == 3);
  r.stop();
}

TEST_CASE("doris schema.change.behavior lenient: renamed and dropped columns stay, no TRUNCATE") {
  Run r("dsl", "lenient", 5762);
  r.sql.run("ALTER TABLE dsl.t RENAME COLUMN a TO aa");
  r.sql.run("ALTER TABLE dsl.t DROP COLUMN c");
  r.sql.run("INSERT INTO dsl.t VALUES (3, 'three', 3)");
  r.sql.run("TRUNCATE TABLE dsl.t");
  r.sql.run("INSERT INTO dsl.t VALUES (4, 'four', 4)");
  // The old columns stay (a made nullable), the new name is a new column; the rows loaded
  // before the TRUNCATE stay too (Flink CDC lenient does not send it).
  r.wait_rows("id, a, aa, b, c", {Cells{"1", "one", std::nullopt, "1", "c1"},
                                  Cells{"2", "two", std::nullopt, "2", "c2"},
                                  Cells{"3", std::nullopt, "three", "3", std::nullopt},
                                  Cells{"4", std::nullopt, "four", "4", std::nullopt}});
  CHECK(r.doris_columns() == std::vector<std::string>{"id INT No", "a VARCHAR(30) Yes", "b INT Yes",
                                                      "c VARCHAR(60) Yes", "aa VARCHAR(30) Yes"});
  r.stop();
}

TEST_CASE("doris schema.change.behavior ignore: the table keeps its columns, rows still arrive") {
  Run r("dsi", "ignore", 5763);
  r.sql.run("ALTER TABLE dsi.t ADD COLUMN d INT");
  r.sql.run("ALTER TABLE dsi.t DROP COLUMN c");
  r.sql.run("INSERT INTO dsi.t VALUES (3, 'three', 3, 33)");
  r.sql.run("UPDATE dsi.t SET b = 20 WHERE id = 2");
  r.wait_rows("id, a, b, c", {Cells{"1", "one", "1", "c1"}, Cells{"2", "two", "20", std::nullopt},
                              Cells{"3", "three", "3", std::nullopt}});
  CHECK(r.doris_columns() == std::vector<std::string>{"id INT No", "a VARCHAR(30) No", "b INT Yes",
                                                      "c VARCHAR(60) Yes"});
  CHECK(r.log().find("schema change ignored (schema.change.behavior: ignore): column d added; "
                     "column c dropped") != std::string::npos);
  r.stop();
}

TEST_CASE("doris schema.change.behavior try_evolve: a change Doris refuses is tolerated") {
  Run r("dst", "try_evolve", 5764);
  // VARCHAR(20) -> VARCHAR(5) maps to VARCHAR(60) -> VARCHAR(15): Doris refuses to narrow.
  r.sql.run("UPDATE dst.t SET c = 'c' WHERE id = 2");
  r.sql.run("ALTER TABLE dst.t MODIFY c VARCHAR(5)");
  r.sql.run("ALTER TABLE dst.t ADD COLUMN d INT");
  r.sql.run("INSERT INTO dst.t VALUES (3, 'three', 3, 'c3', 33)");
  expect_equal(r.sql, r.doris, "dst", "t", "id");  // d was added; c stayed VARCHAR(60)
  CHECK(r.doris_columns().back() == "d INT Yes");
  const std::string log = r.log();
  INFO(log);
  CHECK(log.find("column c changed to VARCHAR(15) refused by Doris, continuing "
                 "(schema.change.behavior: try_evolve): Doris refused ALTER TABLE `dst`.`t` MODIFY "
                 "COLUMN `c` VARCHAR(15) NULL: errCode = 2, detailMessage = Can not change from "
                 "wider type varchar(60) to narrower type varchar(15)") != std::string::npos);
  CHECK(r.sluice->running());
  r.stop();
}

TEST_CASE("doris schema.change.behavior exception: a schema change stops the pipeline") {
  Run r("dsx", "exception", 5765);
  r.sql.run("ALTER TABLE dsx.t ADD COLUMN d INT");
  r.sql.run("INSERT INTO dsx.t VALUES (3, 'three', 3, 'c3', 33)");
  REQUIRE(r.sluice->wait(30s).has_value());
  const std::string log = r.log();
  INFO(log);
  CHECK(log.find("table dsx.t changed in the source (column d added) and "
                 "pipeline.schema.change.behavior is exception") != std::string::npos);
  CHECK(r.doris_columns().size() == 4);  // unchanged
}
