// The schema history on a real MariaDB: a stream of DDL (ALTER ADD/DROP/MODIFY/RENAME COLUMN,
// CREATE TABLE, CREATE TABLE ... LIKE and ... SELECT, RENAME TABLE, TRUNCATE, DROP) between
// rows, recorded in a state store while streaming live; then a fresh source on the same store
// replays from a position before the ALTER: every row with the columns of its time and the
// schema changes in order, exactly as live. An unparseable DDL of a captured table stops the
// source with the statement and its position; with schema.unparseable-ddl: resync the source
// re-reads the catalog and goes on. Tables created later that match `tables` are captured
// without a restart.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cdc/core/json/encoder.h"
#include "cdc/daemon/state_schema_history.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/mysql/schema/schema_history.h"
#include "state/state_store.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"

namespace cdc::mysql {
namespace {

// One event as a line: "<op> <table> <row as upsert JSON>" for rows, and for schema changes
// "s <table> v<version> (<name type, ...>) pk(<names>) <- <statement>".
std::string line(const ChangeEvent& e) {
  static const auto encoder = json::make_encoder(json::Format::upsert);
  std::string out = std::string(1, op_code(e.op)) + " " + e.schema->id.to_string();
  if (e.op == Op::schema_change || e.op == Op::truncate) {
    if (e.op == Op::schema_change) {
      out += " v" + std::to_string(e.schema->version) + " (";
      for (size_t i = 0; i < e.schema->columns.size(); ++i) {
        const auto& c = e.schema->columns[i];
        out += (i ? ", " : "") + c.name + " " + c.source_type + (c.nullable ? "" : " not null");
        if (c.default_value) out += " default " + *c.default_value;
      }
      out += ") pk(";
      for (size_t i = 0; i < e.schema->primary_key.size(); ++i) {
        out += (i ? "," : "") + e.schema->columns[e.schema->primary_key[i]].name;
      }
      out += ")";
    }
    return out + " <- " + std::string(e.source.query);
  }
  out += " v" + std::to_string(e.schema->version) + " ";
  if (!encoder->encode_value(e, out)) out += "null";
  return out;
}

// Lines joined for a readable failure message.
std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

// Events until `last_prefix` starts a line (or 20 s), as lines.
std::vector<std::string> read_until(MysqlSource& src, const std::string& last_prefix) {
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(b, b.error().to_string());
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      lines.push_back(line(e));
      if (lines.back().rfind(last_prefix, 0) == 0) return lines;
    }
  }
  FAIL("no event starting with '" << last_prefix << "' within 20 s; got " << lines.size());
  return lines;
}

// Polls until the source fails (or 20 s); returns the error and the lines before it.
Error read_until_error(MysqlSource& src, std::vector<std::string>& lines) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(200));
    if (!b) return b.error();
    if (!*b) continue;
    for (const auto& e : (*b)->events) lines.push_back(line(e));
  }
  FAIL("the source did not stop within 20 s");
  return make_error(Errc::internal, "unreachable");
}

struct TempStateDir {
  TempStateDir() {
    path = std::filesystem::temp_directory_path() /
           ("sluice-schema-history-it-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
  }
  ~TempStateDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

TEST_CASE(
    "DDL between rows, recorded live; a fresh source replays from before the ALTER with the stored "
    "history") {
  testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_hist");
  sql.run(
      "DROP TABLE IF EXISTS sluice_hist.h, sluice_hist.h_like, sluice_hist.h_renamed, "
      "sluice_hist.h_new, "
      "sluice_hist.h_skip, sluice_hist.h_sel");
  sql.run("CREATE TABLE sluice_hist.h (id INT PRIMARY KEY, a VARCHAR(10) NOT NULL DEFAULT 'x')");

  TempStateDir dir;
  auto store = state::StateStore::open(dir.path.string());
  REQUIRE_MESSAGE(store, store.error().to_string());
  auto opts = testing::services_mysql_source_options(54031, "schema-history-it");
  opts.table_include = {"sluice_hist\\.h.*"};
  opts.table_exclude = {"sluice_hist\\.h_skip"};
  auto make_source = [&] {
    return std::make_unique<MysqlSource>(
        opts, std::make_unique<daemon::StateSchemaHistoryStore>(**store, "schema-history-it"));
  };

  auto live = make_source();
  REQUIRE(live->open(Position{}));
  const Position before_all = live->current_position();

  sql.run("INSERT INTO sluice_hist.h VALUES (1, 'one')");
  sql.run("ALTER TABLE sluice_hist.h ADD COLUMN b INT UNSIGNED NOT NULL DEFAULT 7 AFTER id");
  sql.run("INSERT INTO sluice_hist.h VALUES (2, 8, 'two')");
  sql.run("ALTER TABLE `sluice_hist`.`h` DROP COLUMN a, MODIFY b BIGINT NOT NULL /* widen */");
  sql.run("INSERT INTO sluice_hist.h VALUES (3, 9)");
  sql.run("USE sluice_hist");
  sql.run("ALTER TABLE h RENAME COLUMN b TO bee, ADD COLUMN c DATE FIRST");
  sql.run("INSERT INTO h VALUES ('2024-02-29', 4, 44)");
  sql.run("CREATE TABLE h_like LIKE h");
  sql.run("INSERT INTO h_like VALUES ('2024-03-01', 5, 55)");
  sql.run("RENAME TABLE h TO h_renamed");
  sql.run("INSERT INTO h_renamed VALUES ('2024-03-02', 6, 66)");
  sql.run("CREATE TABLE h_skip (x INT)");
  sql.run("ALTER TABLE h_skip ADD COLUMN (y INT, z INT)");  // not captured: ignored, parsed or not
  sql.run(
      "CREATE TABLE IF NOT EXISTS h_new (k VARCHAR(5) PRIMARY KEY, n INT) DEFAULT CHARSET=utf8mb4");
  sql.run("INSERT INTO h_new VALUES ('k1', 1)");
  sql.run("CREATE TABLE h_sel (PRIMARY KEY (k)) SELECT k, n + 1 AS n1 FROM h_new");
  sql.run("TRUNCATE TABLE h_like");
  sql.run("DROP TABLE h_like, sluice_hist.h_renamed");

  const std::vector<std::string> expected = {
      "c sluice_hist.h v1 {\"id\":1,\"a\":\"one\"}",
      "s sluice_hist.h v2 (id int(11) not null, b int(10) unsigned not null default 7, a "
      "varchar(10) not null "
      "default x) pk(id) <- ALTER TABLE sluice_hist.h ADD COLUMN b INT UNSIGNED NOT NULL DEFAULT 7 "
      "AFTER id",
      "c sluice_hist.h v2 {\"id\":2,\"b\":8,\"a\":\"two\"}",
      "s sluice_hist.h v3 (id int(11) not null, b bigint(20) not null) pk(id) <- ALTER TABLE "
      "`sluice_hist`.`h` "
      "DROP COLUMN a, MODIFY b BIGINT NOT NULL /* widen */",
      "c sluice_hist.h v3 {\"id\":3,\"b\":9}",
      "s sluice_hist.h v4 (c date, id int(11) not null, bee bigint(20) not null) pk(id) <- ALTER "
      "TABLE h RENAME "
      "COLUMN b TO bee, ADD COLUMN c DATE FIRST",
      "c sluice_hist.h v4 {\"c\":\"2024-02-29\",\"id\":4,\"bee\":44}",
      "s sluice_hist.h_like v1 (c date, id int(11) not null, bee bigint(20) not null) pk(id) <- "
      "CREATE TABLE "
      "h_like LIKE h",
      "c sluice_hist.h_like v1 {\"c\":\"2024-03-01\",\"id\":5,\"bee\":55}",
      "s sluice_hist.h_renamed v1 (c date, id int(11) not null, bee bigint(20) not null) pk(id) <- "
      "RENAME TABLE "
      "h TO h_renamed",
      "c sluice_hist.h_renamed v1 {\"c\":\"2024-03-02\",\"id\":6,\"bee\":66}",
      "s sluice_hist.h_new v1 (k varchar(5) not null, n int(11)) pk(k) <- CREATE TABLE IF NOT "
      "EXISTS h_new (k "
      "VARCHAR(5) PRIMARY KEY, n INT) DEFAULT CHARSET=utf8mb4",
      "c sluice_hist.h_new v1 {\"k\":\"k1\",\"n\":1}",
      "s sluice_hist.h_sel v1 (k varchar(5) not null, n1 bigint(12)) pk(k) <- CREATE TABLE `h_sel` "
      "(\n  `k` varchar(5) NOT NULL,\n  `n1` bigint(12) DEFAULT NULL,\n  PRIMARY KEY (`k`)\n)",
      "c sluice_hist.h_sel v1 {\"k\":\"k1\",\"n1\":2}",
      "t sluice_hist.h_like <- TRUNCATE TABLE h_like",
      "s sluice_hist.h_like v1 (c date, id int(11) not null, bee bigint(20) not null) pk(id) <- "
      "DROP TABLE "
      "`h_like`,`h_renamed` /* generated by server */",
      "s sluice_hist.h_renamed v1 (c date, id int(11) not null, bee bigint(20) not null) pk(id) <- "
      "DROP TABLE "
      "`h_like`,`h_renamed` /* generated by server */",
  };
  const std::string last = expected.back();
  const auto live_lines = read_until(*live, last);
  CHECK(joined(live_lines) == joined(expected));
  // The history as stored: h seeded from the catalog at the start, then one version per ALTER,
  // then dropped by the RENAME.
  const auto versions = live->schema_history().versions({"sluice_hist", "h"});
  REQUIRE(versions.size() == 5);
  CHECK(Position(versions[0].first) == before_all);
  CHECK(versions[4].second->columns.empty());
  live->close();
  live.reset();

  // A fresh source on the same state store, from before the first ALTER: today the tables are
  // gone (h_new is there with its last shape), and each row must still come with the columns it
  // was written with. Twice: the first replay writes its versions again, the second reads them.
  for (int round = 1; round <= 2; ++round) {
    CAPTURE(round);
    auto replay = make_source();
    REQUIRE(replay->open(before_all));
    const auto replay_lines = read_until(*replay, last);
    CHECK(joined(replay_lines) == joined(expected));
  }
}

TEST_CASE(
    "an unparseable DDL of a captured table stops with the statement and position; resync re-reads "
    "and goes on") {
  testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_hist");
  sql.run("DROP TABLE IF EXISTS sluice_hist.odd");
  sql.run("CREATE TABLE sluice_hist.odd (id INT PRIMARY KEY, v INT)");

  auto opts = testing::services_mysql_source_options(54032, "schema-history-odd-it");
  opts.table_include = {"sluice_hist\\.odd"};
  MysqlSource stop(opts);
  REQUIRE(stop.open(Position{}));
  const Position start = stop.current_position();
  const std::string file = std::get<MysqlPosition>(start).binlog.file;

  sql.run("INSERT INTO sluice_hist.odd VALUES (1, 1)");
  const std::string ddl = "ALTER TABLE sluice_hist.odd CONVERT TO CHARACTER SET DEFAULT";
  sql.run(ddl);
  sql.run("INSERT INTO sluice_hist.odd VALUES (2, 2)");
  // Where the server logged the statement.
  std::string ddl_pos;
  for (const auto& r : sql.query("SHOW BINLOG EVENTS IN '" + file + "'")) {
    if (r.size() > 5 && r[5] && *r[5] == ddl && r[1]) ddl_pos = *r[1];
  }
  REQUIRE_FALSE(ddl_pos.empty());

  std::vector<std::string> before_error;
  const Error e = read_until_error(stop, before_error);
  CHECK(e.code == Errc::unsupported);
  CHECK(
      e.message ==
      "QUERY (2) at " + file + ":" + ddl_pos + ": DDL '" + ddl +
          "' touches a captured table and cannot parse it: ALTER TABLE sluice_hist.odd: CONVERT TO "
          "CHARACTER SET needs a named character set (DEFAULT is not applied) (set "
          "schema.unparseable-ddl: resync to re-read the schema from information_schema instead)");
  // The row before the DDL was in the failed poll's batch, which is not delivered: a restart
  // reads it again from the last checkpoint.
  CHECK(before_error.empty());

  opts.unparseable_ddl = UnparseableDdl::resync;
  MysqlSource resync(opts);
  REQUIRE(resync.open(start));
  const auto lines = read_until(resync, "c sluice_hist.odd v2 {\"id\":2");
  CHECK(joined(lines) ==
        joined({
            "c sluice_hist.odd v1 {\"id\":1,\"v\":1}",
            "s sluice_hist.odd v2 (id int(11) not null, v int(11)) pk(id) <- " + ddl,
            "c sluice_hist.odd v2 {\"id\":2,\"v\":2}",
        }));
}

// ~50 real statements MariaDB 10.11 accepts on a captured table, between inserts: the ones that
// change the row schema are applied (CONVERT TO CHARACTER SET, ADD COLUMN lists, generated and
// invisible columns, defaults), the others (indexes, constraints, foreign keys, table options,
// partitioning, views, triggers, routines, grants, maintenance) change nothing and make no event.
// The pipeline never stops, every row has the right names and values, and a replay from before
// them gives the same lines.
TEST_CASE(
    "DDL forms that change no column, and CONVERT/ADD lists/generated columns, between rows") {
  testing::MariaDbSession sql(testing::MariaDbSession::As::root);
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_hist");
  sql.run("DROP VIEW IF EXISTS sluice_hist.wv");
  sql.run("DROP TABLE IF EXISTS sluice_hist.w, sluice_hist.wparent");
  sql.run("CREATE TABLE sluice_hist.wparent (id INT PRIMARY KEY)");
  sql.run("USE sluice_hist");
  sql.run("INSERT INTO wparent SELECT seq FROM seq_1_to_100");
  sql.run(
      "CREATE TABLE sluice_hist.w (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b INT, "
      "d DATE) DEFAULT CHARSET=latin1");

  TempStateDir dir;
  auto store = state::StateStore::open(dir.path.string() + "-forms");
  REQUIRE_MESSAGE(store, store.error().to_string());
  auto opts = testing::services_mysql_source_options(54033, "schema-history-forms-it");
  opts.table_include = {"sluice_hist\\.w"};
  auto make_source = [&] {
    return std::make_unique<MysqlSource>(opts, std::make_unique<daemon::StateSchemaHistoryStore>(
                                                   **store, "schema-history-forms-it"));
  };
  auto live = make_source();
  REQUIRE(live->open(Position{}));
  const Position before_all = live->current_position();

  // Each statement, and the column it adds to the row image (with the value a row gets), if any.
  struct Step {
    std::string sql;
    std::string added;  // "" none; else the column name
  };
  const std::vector<Step> steps = {
      {"ALTER TABLE w ADD INDEX ia (a)", ""},
      {"ALTER TABLE w ADD UNIQUE KEY ub (b), ALGORITHM=INPLACE, LOCK=NONE", ""},
      {"ALTER TABLE w RENAME INDEX ub TO ub2", ""},
      {"ALTER TABLE w DROP INDEX ia", ""},
      {"CREATE INDEX ic ON w (d)", ""},
      {"DROP INDEX ic ON w", ""},
      {"ALTER TABLE w ADD CONSTRAINT ck CHECK (a <> 'x,y)' /* , */ AND b >= 0)", ""},
      {"ALTER TABLE w DROP CONSTRAINT ck", ""},
      {"ALTER TABLE w ADD CONSTRAINT fk FOREIGN KEY (b) REFERENCES wparent (id)", ""},
      {"ALTER TABLE w DROP FOREIGN KEY fk", ""},
      {"ALTER TABLE w ENGINE=InnoDB", ""},
      {"ALTER TABLE w AUTO_INCREMENT=1000", ""},
      {"ALTER TABLE w COMMENT='a, (b) -- not a comment'", ""},
      {"ALTER TABLE w ROW_FORMAT=DYNAMIC", ""},
      {"ALTER TABLE w DEFAULT CHARACTER SET = latin1", ""},
      {"ALTER TABLE w FORCE", ""},
      {"ALTER ONLINE TABLE w ADD INDEX io (d)", ""},
      {"ALTER IGNORE TABLE w ADD INDEX ii (a)", ""},
      {"ALTER TABLE w WAIT 5 DROP INDEX io", ""},
      {"ALTER TABLE w NOWAIT DROP INDEX ii", ""},
      {"ALTER TABLE w ORDER BY b", ""},
      {"ALTER TABLE w ADD FULLTEXT INDEX ft (a)", ""},
      {"ALTER TABLE w DROP INDEX ft", ""},
      {"ALTER TABLE w CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", ""},
      {"ALTER TABLE w ADD COLUMN (c1 INT NOT NULL DEFAULT 3, c2 VARCHAR(5))", "c1,c2"},
      {"ALTER TABLE w ADD COLUMN IF NOT EXISTS c1 INT", ""},
      {"ALTER TABLE w ADD COLUMN g INT AS (b * 2) VIRTUAL", "g"},
      {"ALTER TABLE w ADD COLUMN gs VARCHAR(20) AS (CONCAT(a, ')')) STORED", "gs"},
      {"ALTER TABLE w ADD COLUMN hid INT INVISIBLE DEFAULT 9", "hid"},
      {"ALTER TABLE w DROP INDEX ub2", ""},
      {"ALTER TABLE w PARTITION BY HASH(id) PARTITIONS 2", ""},
      {"ALTER TABLE w COALESCE PARTITION 1", ""},
      {"ALTER TABLE w REMOVE PARTITIONING", ""},
      {"ALTER TABLE w PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000), "
       "PARTITION p1 VALUES LESS THAN MAXVALUE)",
       ""},
      {"ALTER TABLE w REORGANIZE PARTITION p1 INTO (PARTITION p1 VALUES LESS THAN (2000), "
       "PARTITION p2 VALUES LESS THAN MAXVALUE)",
       ""},
      {"ALTER TABLE w TRUNCATE PARTITION p2", ""},
      {"ALTER TABLE w REMOVE PARTITIONING", ""},
      {"CREATE OR REPLACE VIEW wv AS SELECT id, a FROM w WHERE a <> ';'", ""},
      {"DROP VIEW wv", ""},
      {"CREATE TRIGGER wt BEFORE UPDATE ON w FOR EACH ROW SET NEW.b = NEW.b", ""},
      {"DROP TRIGGER wt", ""},
      {"CREATE PROCEDURE wp() SELECT COUNT(*) FROM w", ""},
      {"DROP PROCEDURE wp", ""},
      {"CREATE FUNCTION wf() RETURNS INT DETERMINISTIC RETURN 1", ""},
      {"DROP FUNCTION wf", ""},
      {"CREATE USER IF NOT EXISTS 'sluice_w'@'localhost'", ""},
      {"GRANT SELECT ON sluice_hist.w TO 'sluice_w'@'localhost'", ""},
      {"REVOKE SELECT ON sluice_hist.w FROM 'sluice_w'@'localhost'", ""},
      {"DROP USER 'sluice_w'@'localhost'", ""},
      {"CREATE DATABASE IF NOT EXISTS sluice_hist_other", ""},
      {"DROP DATABASE sluice_hist_other", ""},
  };
  std::vector<std::string> added;
  std::vector<std::string> expected_rows;
  auto insert = [&](int k) {
    const std::string ks = std::to_string(k);
    sql.run("INSERT INTO w (id, a, b) VALUES (" + ks + ", 'r" + ks + "', " + ks + ")");
    std::string row =
        "c sluice_hist.w {\"id\":" + ks + ",\"a\":\"r" + ks + "\",\"b\":" + ks + ",\"d\":null";
    for (const auto& col : added) {
      if (col == "c1") row += ",\"c1\":3";
      if (col == "c2") row += ",\"c2\":null";
      if (col == "g") row += ",\"g\":" + std::to_string(2 * k);
      if (col == "gs") row += ",\"gs\":\"r" + ks + ")\"";
      if (col == "hid") row += ",\"hid\":9";
    }
    expected_rows.push_back(row + "}");
  };
  int k = 1;
  insert(k++);
  for (const auto& step : steps) {
    CAPTURE(step.sql);
    sql.run(step.sql);
    for (size_t from = 0; !step.added.empty() && from <= step.added.size();) {
      const size_t comma = std::min(step.added.find(',', from), step.added.size());
      added.push_back(step.added.substr(from, comma - from));
      from = comma + 1;
    }
    insert(k++);
  }
  sql.query("OPTIMIZE TABLE w");
  sql.query("ANALYZE TABLE w");
  sql.query("REPAIR TABLE w");
  insert(k++);

  // Rows without their version (versions are checked by the schema changes), schema changes
  // by their statement: exactly the statements that change the row schema.
  auto split = [](const std::vector<std::string>& lines, std::vector<std::string>& rows,
                  std::vector<std::string>& changes) {
    for (const auto& l : lines) {
      if (l.rfind("s ", 0) == 0) {
        changes.push_back(l.substr(l.find(" <- ") + 4));
        continue;
      }
      // "c sluice_hist.w v3 {...}" -> "c sluice_hist.w {...}"
      const size_t v = l.find(" v");
      rows.push_back(l.substr(0, v) + l.substr(l.find(' ', v + 1)));
    }
  };
  const std::vector<std::string> expected_changes = {
      "ALTER TABLE w CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      "ALTER TABLE w ADD COLUMN (c1 INT NOT NULL DEFAULT 3, c2 VARCHAR(5))",
      "ALTER TABLE w ADD COLUMN g INT AS (b * 2) VIRTUAL",
      "ALTER TABLE w ADD COLUMN gs VARCHAR(20) AS (CONCAT(a, ')')) STORED",
      "ALTER TABLE w ADD COLUMN hid INT INVISIBLE DEFAULT 9",
  };
  std::vector<std::string> live_lines =
      read_until(*live, "c sluice_hist.w v6 {\"id\":" + std::to_string(k - 1) + ",");
  std::vector<std::string> rows, changes;
  split(live_lines, rows, changes);
  CHECK(joined(rows) == joined(expected_rows));
  CHECK(joined(changes) == joined(expected_changes));
  live->close();
  live.reset();

  auto replay = make_source();
  REQUIRE(replay->open(before_all));
  const auto replay_lines =
      read_until(*replay, "c sluice_hist.w v6 {\"id\":" + std::to_string(k - 1) + ",");
  CHECK(joined(replay_lines) == joined(live_lines));
  std::filesystem::remove_all(dir.path.string() + "-forms");
}

}  // namespace
}  // namespace cdc::mysql
