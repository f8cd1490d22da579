// SchemaHistory: versions by position, DDL applied to captured tables only, each statement's
// effect on columns and key, rewind for a replay, write-through to a store and load from it.
#include "cdc/mysql/schema/schema_history.h"

#include <doctest/doctest.h>

namespace cdc::mysql {
namespace {

MysqlPosition pos(uint64_t offset, std::string file = "bin.000001") {
  MysqlPosition p;
  p.binlog = BinlogPosition{std::move(file), offset};
  return p;
}

std::vector<std::string> names(const TableSchemaPtr& s) {
  std::vector<std::string> out;
  if (!s) return out;
  for (const auto& c : s->columns) out.push_back(c.name);
  return out;
}

std::vector<std::string> key(const TableSchemaPtr& s) {
  std::vector<std::string> out;
  for (uint32_t k : s->primary_key) out.push_back(s->columns[k].name);
  return out;
}

bool captured_app(const TableId& t) { return t.db == "app" && t.table.rfind("skip", 0) != 0; }

std::vector<SchemaHistory::Change> apply(SchemaHistory& h, std::string_view sql, uint64_t at) {
  const auto st = parse_ddl_statement(sql, "app");
  CAPTURE(sql);
  REQUIRE_MESSAGE(st.kind != DdlStatement::Kind::unparseable, st.error);
  auto r = h.apply(st, pos(at), captured_app);
  REQUIRE_MESSAGE(r, r.error().to_string());
  return std::move(*r);
}

Error apply_error(SchemaHistory& h, std::string_view sql, uint64_t at) {
  auto r = h.apply(parse_ddl_statement(sql, "app"), pos(at), captured_app);
  REQUIRE_FALSE(r);
  return r.error();
}

class MemoryStore final : public SchemaHistoryStore {
 public:
  Status put(const MysqlPosition& at, const TableSchema& schema) override {
    for (auto& e : entries) {
      if (e.first == at && e.second.id == schema.id) {
        e.second = schema;
        return {};
      }
    }
    entries.emplace_back(at, schema);
    return {};
  }
  Result<std::vector<std::pair<MysqlPosition, TableSchema>>> load() override { return entries; }
  std::vector<std::pair<MysqlPosition, TableSchema>> entries;
};

const TableId kT{"app", "t"};

TEST_CASE("a stream of DDL: each version in force from its position, columns and key follow") {
  SchemaHistory h;
  auto ch = apply(h, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))", 100);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].op == Op::schema_change);
  CHECK(ch[0].schema->version == 1);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a"});

  apply(h, "ALTER TABLE t ADD COLUMN b INT UNSIGNED NOT NULL DEFAULT 7", 200);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a", "b"});
  CHECK(h.current(kT)->columns[2].source_type == "int(10) unsigned");
  CHECK(h.current(kT)->columns[2].default_value == std::optional<std::string>("7"));
  CHECK(h.current(kT)->version == 2);

  apply(h, "ALTER TABLE t DROP COLUMN a", 300);
  apply(h, "ALTER TABLE t RENAME COLUMN b TO bee, ADD COLUMN c DATE FIRST", 400);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"c", "id", "bee"});
  CHECK(key(h.current(kT)) == std::vector<std::string>{"id"});
  CHECK(h.current(kT)->primary_key == std::vector<uint32_t>{1});

  apply(h, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (bee, id)", 500);
  CHECK(key(h.current(kT)) == std::vector<std::string>{"bee", "id"});
  apply(h, "ALTER TABLE t MODIFY c DATETIME(6) NOT NULL AFTER bee, CHANGE `ID` ident BIGINT FIRST",
        600);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"ident", "bee", "c"});
  CHECK(key(h.current(kT)) == std::vector<std::string>{"bee", "ident"});
  CHECK(h.current(kT)->columns[2].source_type == "datetime(6)");
  CHECK_FALSE(h.current(kT)->columns[0].nullable);  // in the key

  const auto versions = h.versions(kT);
  REQUIRE(versions.size() == 6);
  CHECK(versions[1].first.binlog.offset == 200);
  CHECK(names(versions[1].second) == std::vector<std::string>{"id", "a", "b"});
  CHECK(versions[5].second->version == 6);

  // A replay from 250 drops what came after: the DDL at 300.. is applied again.
  h.rewind(pos(250));
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a", "b"});
  apply(h, "ALTER TABLE t DROP COLUMN a", 300);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "b"});
  CHECK(h.current(kT)->version == 3);
}

TEST_CASE("RENAME, CREATE ... LIKE, DROP and TRUNCATE; tables not captured are ignored") {
  SchemaHistory h;
  apply(h, "CREATE TABLE t (id INT PRIMARY KEY)", 10);
  CHECK(apply(h, "CREATE TABLE skip_me (id INT)", 20).empty());
  CHECK_FALSE(h.known(TableId{"app", "skip_me"}));
  CHECK(apply(h, "ALTER TABLE skip_me ADD x INT", 21).empty());
  CHECK(apply(h, "CREATE TABLE other.t (id INT)", 22).empty());

  auto ch = apply(h, "CREATE TABLE t2 LIKE t", 30);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].schema->id == TableId{"app", "t2"});
  CHECK(names(h.current({"app", "t2"})) == std::vector<std::string>{"id"});

  ch = apply(h, "RENAME TABLE t TO tmp, t2 TO t, tmp TO t2", 40);
  REQUIRE(ch.size() == 3);
  CHECK(h.current({"app", "tmp"}) == nullptr);
  CHECK(h.known({"app", "tmp"}));

  ch = apply(h, "ALTER TABLE t ADD a INT, RENAME TO t3", 50);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].schema->id == TableId{"app", "t3"});
  CHECK(names(h.current({"app", "t3"})) == std::vector<std::string>{"id", "a"});
  CHECK(h.current(kT) == nullptr);

  ch = apply(h, "TRUNCATE t3", 60);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].op == Op::truncate);
  CHECK(ch[0].schema == h.current({"app", "t3"}));

  ch = apply(h, "DROP TABLE IF EXISTS t3, nothere, skip_me", 70);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].schema->id == TableId{"app", "t3"});
  CHECK(names(ch[0].schema) == std::vector<std::string>{"id", "a"});  // the last version
  CHECK(h.current({"app", "t3"}) == nullptr);

  apply(h, "CREATE TABLE d1 (id INT)", 75);
  apply(h, "CREATE TABLE d2 (id INT)", 76);
  ch = apply(h, "DROP DATABASE app", 77);
  REQUIRE(ch.size() == 3);  // t2, d1, d2 (in name order)
  CHECK(ch[0].schema->id == TableId{"app", "d1"});
  CHECK(h.current({"app", "d1"}) == nullptr);
  CHECK(h.tables().empty());
  apply(h, "CREATE TABLE t2 (id INT)", 78);

  // Renamed out of the captured set: the last version, and the table is gone.
  ch = apply(h, "RENAME TABLE t2 TO skip_t2", 80);
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].schema->id == TableId{"app", "t2"});
  CHECK(h.current({"app", "t2"}) == nullptr);
}

TEST_CASE("a DDL that does not fit the history is Errc::unsupported naming the table and why") {
  SchemaHistory h;
  apply(h, "CREATE TABLE t (id INT PRIMARY KEY, a INT)", 10);
  CHECK(apply_error(h, "ALTER TABLE t DROP COLUMN zz", 20).message ==
        "cannot apply the DDL to app.t: DROP COLUMN 'zz': no such column");
  CHECK(apply_error(h, "ALTER TABLE t ADD a INT", 20).message ==
        "cannot apply the DDL to app.t: ADD COLUMN 'a': the column exists");
  CHECK(apply_error(h, "ALTER TABLE t ADD b INT AFTER nope", 20).code == Errc::unsupported);
  CHECK(apply_error(h, "ALTER TABLE unknown ADD b INT", 20).message ==
        "cannot apply the DDL to app.unknown: the table is not in the schema history");
  CHECK(apply_error(h, "CREATE TABLE c LIKE skip_src", 20).message.find("LIKE app.skip_src") !=
        std::string::npos);
  CHECK(apply_error(h, "ALTER TABLE t DROP id, DROP a", 20).message ==
        "cannot apply the DDL to app.t: the table would have no column left");
  // Nothing was installed by the failed statements.
  CHECK(h.versions(kT).size() == 1);
  // IF [NOT] EXISTS turn the misses into no-ops.
  apply(h, "ALTER TABLE t DROP COLUMN IF EXISTS zz, ADD COLUMN IF NOT EXISTS a INT", 30);
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a"});
}

TEST_CASE("versions are written through to the store and loaded back by position") {
  MemoryStore store;
  {
    SchemaHistory h(&store);
    apply(h, "CREATE TABLE t (id INT PRIMARY KEY)", 10);
    apply(h, "ALTER TABLE t ADD a INT", 20);
    apply(h, "DROP TABLE t", 30);
  }
  REQUIRE(store.entries.size() == 3);
  CHECK(store.entries[2].second.columns.empty());  // the drop marker
  std::swap(store.entries[0], store.entries[2]);   // any order
  SchemaHistory h(&store);
  REQUIRE(h.load());
  CHECK(h.current(kT) == nullptr);
  CHECK(h.known(kT));
  h.rewind(pos(25));
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a"});
  CHECK(h.current(kT)->version == 2);
  h.rewind(pos(5));
  CHECK_FALSE(h.known(kT));
}

TEST_CASE("after a failover, versions order by MariaDB GTID state across servers' binlogs") {
  // The primary wrote its versions far into its binlog; the promoted replica's binlog has the
  // next transactions at small offsets of a file with a lower number.
  auto at = [](uint64_t offset, std::string file, std::string gtids) {
    MysqlPosition p = pos(offset, std::move(file));
    p.gtid_set = std::move(gtids);
    return p;
  };
  MemoryStore store;
  {
    SchemaHistory h(&store);
    auto st = parse_ddl_statement("CREATE TABLE t (id INT PRIMARY KEY)", "app");
    REQUIRE(h.apply(st, at(900000, "primary-bin.000007", "0-1-100"), captured_app));
    st = parse_ddl_statement("ALTER TABLE t ADD a INT", "app");
    REQUIRE(h.apply(st, at(500, "replica-bin.000002", "0-2-120"), captured_app));
  }
  SchemaHistory h(&store);
  REQUIRE(h.load());
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id", "a"});
  // A checkpoint on the replica between the two: the primary's version stays, the ALTER goes.
  h.rewind(at(300, "replica-bin.000002", "0-2-110"));
  CHECK(names(h.current(kT)) == std::vector<std::string>{"id"});
  // Equal states (inside one transaction, or a point and the DDL right after it): the file.
  SchemaHistory same(&store);
  REQUIRE(same.load());
  same.rewind(at(499, "replica-bin.000002", "0-2-120"));
  CHECK(names(same.current(kT)) == std::vector<std::string>{"id"});
}

}  // namespace

// Every ALTER form MariaDB 10.11 / MySQL 8 accept that leaves the row image alone: read, applied
// to nothing, and no schema-change event.
TEST_CASE("DDL that changes no column of a captured table: no version, no event") {
  SchemaHistory h;
  apply(h,
        "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b INT, "
        "parent INT, d DATE)",
        100);
  REQUIRE(h.current(kT)->version == 1);
  uint64_t at = 200;
  for (const char* sql : {
           "ALTER TABLE t ADD INDEX ia (a)",
           "ALTER TABLE t ADD KEY kb (b), ADD UNIQUE KEY ub (b)",
           "ALTER TABLE t ADD UNIQUE INDEX (a, b)",
           "ALTER TABLE t ADD FULLTEXT INDEX ft (a)",
           "ALTER TABLE t ADD SPATIAL INDEX sp (a)",
           "ALTER TABLE t DROP INDEX ia, DROP KEY kb",
           "ALTER TABLE t DROP INDEX IF EXISTS nope",
           "ALTER TABLE t RENAME INDEX ub TO ub2, RENAME KEY x TO y",
           "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (parent) REFERENCES p (id) ON DELETE "
           "CASCADE",
           "ALTER TABLE t ADD FOREIGN KEY (parent) REFERENCES p (id)",
           "ALTER TABLE t DROP FOREIGN KEY fk",
           "ALTER TABLE t ADD CONSTRAINT ck CHECK (a <> 'x,y)' /* , */ AND b > 0)",
           "ALTER TABLE t ADD CHECK (b > 0)",
           "ALTER TABLE t DROP CHECK ck, DROP CONSTRAINT IF EXISTS c2",
           "ALTER TABLE t ALTER INDEX ub2 INVISIBLE",
           "ALTER TABLE t ALTER INDEX ub2 VISIBLE",
           "ALTER TABLE t ALTER COLUMN b SET VISIBLE",
           "ALTER TABLE t ALTER COLUMN b SET INVISIBLE",
           "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE",
           "ALTER TABLE t FORCE",
           "ALTER TABLE t",
           "ALTER TABLE t ENGINE=InnoDB",
           "ALTER TABLE t AUTO_INCREMENT=1000",
           "ALTER TABLE t COMMENT='a, (b) -- not a comment'",
           "ALTER TABLE t ROW_FORMAT=DYNAMIC",
           "ALTER TABLE t DEFAULT CHARACTER SET = utf8mb4 COLLATE utf8mb4_bin",
           "ALTER TABLE t CHARACTER SET utf8mb4",
           "ALTER TABLE t ORDER BY b",
           "ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4",
           "ALTER TABLE t ADD PARTITION (PARTITION p9 VALUES LESS THAN (100))",
           "ALTER TABLE t DROP PARTITION p1",
           "ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (5), "
           "PARTITION b VALUES LESS THAN (10))",
           "ALTER TABLE t TRUNCATE PARTITION p0",
           "ALTER TABLE t COALESCE PARTITION 2",
           "ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE t2",
           "ALTER TABLE t REMOVE PARTITIONING",
           "ALTER TABLE t DISCARD TABLESPACE",
           "ALTER TABLE t IMPORT TABLESPACE",
           "ALTER ONLINE TABLE t ADD INDEX io (b)",
           "ALTER IGNORE TABLE t ADD UNIQUE (b)",
           "ALTER TABLE t WAIT 5 ADD INDEX iw (b)",
           "ALTER TABLE t NOWAIT ENGINE=InnoDB",
           "ALTER TABLE IF EXISTS t ENGINE=InnoDB",
           "ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT",
           "ALTER TABLE t DROP COLUMN IF EXISTS nope",
           "ALTER TABLE t ADD PERIOD FOR p (d, d)",
           "CREATE INDEX i ON t (a)",
           "CREATE UNIQUE INDEX u ON t (b)",
           "CREATE FULLTEXT INDEX f ON t (a)",
           "CREATE SPATIAL INDEX s ON t (a)",
           "DROP INDEX i ON t",
           "CREATE OR REPLACE VIEW v AS SELECT * FROM t",
           "DROP VIEW IF EXISTS v",
           "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.b = 1",
           "DROP TRIGGER tr",
           "CREATE PROCEDURE p() BEGIN SELECT 1; END",
           "DROP PROCEDURE IF EXISTS p",
           "CREATE FUNCTION f() RETURNS INT RETURN 1",
           "DROP FUNCTION f",
           "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t",
           "DROP EVENT e",
           "CREATE USER u IDENTIFIED BY 'p'",
           "DROP USER u",
           "GRANT SELECT ON app.t TO u",
           "REVOKE SELECT ON app.t FROM u",
           "OPTIMIZE TABLE t",
           "ANALYZE TABLE t",
           "REPAIR TABLE t",
           "CHECK TABLE t",
           "CREATE DATABASE IF NOT EXISTS other",
           "DROP DATABASE IF EXISTS other",
       }) {
    CAPTURE(sql);
    CHECK(apply(h, sql, at += 10).empty());
  }
  CHECK(h.current(kT)->version == 1);
  CHECK(h.versions(kT).size() == 1);
}

TEST_CASE("CONVERT TO CHARACTER SET, ADD COLUMN lists, generated and invisible columns") {
  SchemaHistory h;
  apply(h,
        "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b BLOB, "
        "e ENUM('x','y') CHARACTER SET latin1, n INT) DEFAULT CHARSET=latin1",
        100);
  auto ch =
      apply(h, "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", 200);
  REQUIRE(ch.size() == 1);
  auto s = h.current(kT);
  CHECK(s->version == 2);
  CHECK(s->columns[1].charset == "utf8mb4");
  CHECK(s->columns[2].charset.empty());  // BLOB stays binary
  CHECK(s->columns[2].kind == ValueKind::bytes);
  CHECK(s->columns[3].charset == "utf8mb4");
  CHECK(s->columns[4].charset.empty());
  CHECK(h.current(kT)->columns[1].source_type == "varchar(10)");

  // A column added later without a character set takes the converted one.
  ch = apply(h,
             "ALTER TABLE t ADD COLUMN (c1 INT NOT NULL DEFAULT 3, c2 VARCHAR(5), "
             "c3 DECIMAL(6,2)), ADD c4 INT FIRST",
             300);
  REQUIRE(ch.size() == 1);
  CHECK(names(h.current(kT)) ==
        std::vector<std::string>{"c4", "id", "a", "b", "e", "n", "c1", "c2", "c3"});
  s = h.current(kT);
  CHECK(s->columns[6].default_value == std::optional<std::string>("3"));
  CHECK_FALSE(s->columns[6].nullable);
  CHECK(s->columns[7].charset == "utf8mb4");
  CHECK(s->columns[8].source_type == "decimal(6,2)");
  CHECK(s->primary_key == std::vector<uint32_t>{1});

  // MariaDB: IF NOT EXISTS skips the columns that are there, adds the others.
  apply(h, "ALTER TABLE t ADD COLUMN IF NOT EXISTS (c1 INT, c5 BIGINT)", 400);
  CHECK(names(h.current(kT)).back() == "c5");
  CHECK(h.current(kT)->columns[6].default_value == std::optional<std::string>("3"));

  // Generated columns are columns of the row image (binlog_row_image=FULL logs VIRTUAL ones
  // too); invisible columns are too.
  apply(h,
        "ALTER TABLE t ADD COLUMN g INT AS (n * 2 /* ) */ + LENGTH('a,)b')) VIRTUAL, "
        "ADD COLUMN gs VARCHAR(20) GENERATED ALWAYS AS (CONCAT(a, ')')) STORED NOT NULL, "
        "ADD COLUMN hid INT INVISIBLE DEFAULT 9",
        500);
  s = h.current(kT);
  CHECK(names(s) == std::vector<std::string>{"c4", "id", "a", "b", "e", "n", "c1", "c2", "c3", "c5",
                                             "g", "gs", "hid"});
  CHECK(s->columns[10].source_type == "int(11)");
  CHECK(s->columns[11].source_type == "varchar(20)");
  CHECK(s->columns[12].default_value == std::optional<std::string>("9"));

  // ALTER COLUMN SET/DROP DEFAULT changes the default only.
  apply(h, "ALTER TABLE t ALTER COLUMN n SET DEFAULT 5, ALTER c1 DROP DEFAULT", 600);
  CHECK(h.current(kT)->columns[5].default_value == std::optional<std::string>("5"));
  CHECK_FALSE(h.current(kT)->columns[6].default_value);

  apply(h, "ALTER TABLE t ALTER COLUMN n SET DEFAULT (1 + ')')", 650);
  CHECK_FALSE(h.current(kT)->columns[5].default_value);

  // A table default set in the same statement applies to the columns added after it; alone it
  // changes nothing.
  CHECK(apply(h, "ALTER TABLE t DEFAULT CHARSET=latin1", 660).empty());
  apply(h, "ALTER TABLE t CHARACTER SET = latin1, ADD z1 TEXT", 670);
  CHECK(h.current(kT)->columns.back().charset == "latin1");

  apply(h, "ALTER TABLE t CONVERT TO CHARSET binary", 700);
  CHECK(h.current(kT)->columns[2].charset == "binary");
  CHECK(h.current(kT)->columns[2].kind == ValueKind::bytes);
}

}  // namespace cdc::mysql
